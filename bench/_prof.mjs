import { join } from 'node:path';
import { loadRig, mountSensors, RaycastPool } from '../dist/index.js';
import { townWithActors } from './sensors.mjs';
const town = townWithActors(50);
const rig = { file: 'sensors/full.yaml', sensors: loadRig('sensors/full.yaml').sensors };
function prof(label) {
  const { world, state } = town;
  const mounted = mountSensors(rig, state.actors, 1);
  const t = new Map();
  let tick = 0;
  const at = (k) => ({ ...state, tick: k, t_ns: k * 10_000_000 });
  const run = (steps, rec) => {
    for (let k = 0; k < steps; k++, tick++) {
      const from = at(tick), to = at(tick + 1);
      for (const s of mounted) { const a = performance.now(); const f = s.advance({ world, from, to, middle: () => from }); if (rec) t.set(s.topic, (t.get(s.topic) ?? 0) + performance.now() - a); }
    }
  };
  run(50, false);
  const a = performance.now(); run(100, true); const total = performance.now() - a;
  console.log(label, 'total ms/sim s', total.toFixed(0), [...t].map(([k, v]) => `${k}:${v.toFixed(0)}`).join(' '));
  for (const s of mounted) s.dispose?.();
}
prof('one');
const pool = await RaycastPool.create(town.world.scene, { workers: 1 });
town.world.scene.usePool(pool);
prof('pool');
prof('pool');
await pool.close();
