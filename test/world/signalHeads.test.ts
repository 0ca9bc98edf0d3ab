// The map's signals in the static world: a light's pole and head, a sign's post and plate,
// where the signal's road coordinates put them, hit by rays cast at hand-computed places.
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, RaycastScene } from '../../src/raycast/RaycastScene.js';
import { meshMapSignals } from '../../src/world/roadside/SignalHeads.js';
import { signalledRoadFile, straightRoadXodr } from '../sim/fixtures.js';

function castOne(scene: RaycastScene, o: number[], d: number[]): { t: number; cls: number } {
  const len = Math.hypot(d[0], d[1], d[2]);
  const hits = createHitBuffer(1);
  scene.cast({ origins: new Float32Array(o), directions: new Float32Array(d.map((x) => x / len)), count: 1, tMin: 0, tMax: 100 }, hits);
  return { t: hits.distance[0], cls: hits.classId[0] };
}

describe('signals in the world', () => {
  // The fixture road runs along +x from the origin, flat at z = 0. Light L1 (3 lamps, height 3.2,
  // zOffset 0) stands at x = 300, y = -12; walk light P1 (2 lamps, height 2.6) there too; the
  // stop line S1 is a marking (nothing stands); L2 at x = 600, y = 5.
  const mesh = new MeshBuilder();
  meshMapSignals(readOpenDrive(signalledRoadFile()), mesh);
  const s = mesh.soup();
  const scene = new RaycastScene(buildMeshBvh(s.positions, s.classes));

  it('puts a light\'s head (3 lamps: 1.0 m tall, 0.25 m deep) on top of its pole, facing its traffic', () => {
    // From 10 m in front (−x, the side its "+" traffic comes from) at the head's middle height 3.2 − 0.5.
    const head = castOne(scene, [290, -12, 2.7], [1, 0, 0]);
    expect(head.cls).toBe(classId('traffic_light'));
    expect(head.t).toBeCloseTo(10 - 0.125, 4);
    // Below the head, the 0.12 m pole.
    const pole = castOne(scene, [290, -12, 1.0], [1, 0, 0]);
    expect(pole.cls).toBe(classId('pole'));
    expect(pole.t).toBeCloseTo(10 - 0.06, 4);
    // Above 3.2 m there is nothing.
    expect(castOne(scene, [290, -12, 3.3], [1, 0, 0]).t).toBe(Infinity);
  });

  it('stands nothing on a stop line', () => {
    expect(castOne(scene, [296, -5.25, 5], [0, 0, -1]).t).toBe(Infinity);
  });

  it('puts a sign\'s plate (zOffset = its bottom edge) on its post, 6 cm in front of it', () => {
    // A stop sign (StVO 206) at s = 50, t = -6: plate 0.9 × 0.9 m from 1.5 m up, centre 1.95 m,
    // facing −x; its 2 cm plate's front face at x = 50 − 0.06 − 0.01.
    const signs = new MeshBuilder();
    const xodr = straightRoadXodr(200).replace('</lanes>', '</lanes><signals><signal s="50" t="-6" id="X" orientation="+" type="206" country="DE" zOffset="1.5" height="0.9" width="0.9"/></signals>');
    meshMapSignals(parseOpenDrive(xodr), signs);
    const soup = signs.soup();
    const world = new RaycastScene(buildMeshBvh(soup.positions, soup.classes));
    const plate = castOne(world, [40, -6, 1.95], [1, 0, 0]);
    expect(plate.cls).toBe(classId('traffic_sign'));
    expect(plate.t).toBeCloseTo(50 - 0.07 - 40, 4);
    expect(castOne(world, [40, -6, 1.2], [1, 0, 0]).cls).toBe(classId('pole'));
    expect(castOne(world, [40, -6, 2.5], [1, 0, 0]).t).toBe(Infinity);
  });
});
