// sim section of `npm run bench`: simulation ticks per wall second with no sensors, for 10,
// 100 and 500 vehicles (every one with IDM and MOBIL, collision detection on), beside a
// baseline measured in the same run: stepping a plain cannon-es world with the same number of
// dynamic boxes resting on a plane, the "everything in the physics engine" approach.
import * as CANNON from 'cannon-es';
import { benchSimulation } from '../dist/index.js';

function cannonBaseline(bodies, ticks) {
  const world = new CANNON.World({ gravity: new CANNON.Vec3(0, 0, -9.81) });
  world.addBody(new CANNON.Body({ mass: 0, shape: new CANNON.Plane() }));
  for (let i = 0; i < bodies; i++) {
    const body = new CANNON.Body({ mass: 1500, shape: new CANNON.Box(new CANNON.Vec3(2.3, 0.9, 0.75)) });
    body.position.set((i % 25) * 8, Math.floor(i / 25) * 4, 0.75);
    world.addBody(body);
  }
  for (let i = 0; i < 20; i++) world.step(0.01);
  const start = performance.now();
  for (let i = 0; i < ticks; i++) world.step(0.01);
  return ticks / ((performance.now() - start) / 1000);
}

export async function benchSim() {
  const result = {};
  for (const [actors, ticks] of [[10, 2000], [100, 1000], [500, 200]]) {
    const ours = benchSimulation(actors, ticks, 100).ticksPerSecond;
    const cannon = cannonBaseline(actors, Math.max(20, Math.round(ticks / 10)));
    result[`ticks_per_s_${actors}`] = ours;
    result[`cannon_world_ticks_per_s_${actors}`] = cannon;
    result[`speedup_vs_cannon_${actors}`] = ours / cannon;
  }
  return result;
}

export function printSim(r) {
  console.log('sim: vehicles with IDM + MOBIL + collision detection, no sensors, 10 ms steps');
  for (const n of [10, 100, 500]) {
    console.log(`  ${String(n).padStart(3)} actors  ${r[`ticks_per_s_${n}`].toFixed(0).padStart(6)} ticks/s   cannon-es world of ${n} boxes ${r[`cannon_world_ticks_per_s_${n}`].toFixed(0).padStart(6)} ticks/s   ratio ${r[`speedup_vs_cannon_${n}`].toFixed(1)}x`);
  }
}
