import { loadRig, mountSensors, RaycastPool } from '../dist/index.js';
import { townWithActors } from './sensors.mjs';
const town = townWithActors(50);
const only = process.argv[2];
const rig = { file: 'sensors/full.yaml', sensors: loadRig('sensors/full.yaml').sensors.filter((s) => !only || s.type === only) };
const { world, state } = town;
if (process.argv[3] === 'pool') { const pool = await RaycastPool.create(world.scene, { workers: 1 }); world.scene.usePool(pool); }
const mounted = mountSensors(rig, state.actors, 1);
let tick = 0;
const at = (k) => ({ ...state, tick: k, t_ns: k * 10_000_000 });
for (let k = 0; k < 200; k++, tick++) { const from = at(tick), to = at(tick + 1); for (const s of mounted) s.advance({ world, from, to, middle: () => from }); }
const a = performance.now();
for (let k = 0; k < 200; k++, tick++) { const from = at(tick), to = at(tick + 1); for (const s of mounted) s.advance({ world, from, to, middle: () => from }); }
console.log(only, 'ms per sim s', ((performance.now() - a) / 2).toFixed(0));
process.exit(0);
