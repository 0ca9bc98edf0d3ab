// The map's signals in the static world: a light's pole and head, a sign's post and plate,
// where the signal's road coordinates put them, hit by rays cast at hand-computed places.
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { materialId } from '../../src/core/materials.js';
import { classId } from '../../src/core/semantic.js';
import { parseOpenDrive, readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, RaycastScene } from '../../src/raycast/RaycastScene.js';
import { meshMapSignals, signalLamps } from '../../src/world/roadside/SignalHeads.js';
import { signalledRoadFile, straightRoadXodr } from '../sim/fixtures.js';

function castOne(scene: RaycastScene, o: number[], d: number[]): { t: number; cls: number; material: number } {
  const len = Math.hypot(d[0], d[1], d[2]);
  const hits = createHitBuffer(1);
  scene.cast({ origins: new Float32Array(o), directions: new Float32Array(d.map((x) => x / len)), count: 1, tMin: 0, tMax: 100 }, hits);
  return { t: hits.distance[0], cls: hits.classId[0], material: hits.materialId[0] };
}

describe('signals in the world', () => {
  // The fixture road runs along +x from the origin, flat at z = 0. Light L1 (3 lamps, height 3.2,
  // zOffset 0) stands at x = 300, y = -12; walk light P1 (2 lamps, height 2.6) there too; the
  // stop line S1 is a marking (nothing stands); L2 at x = 600, y = 5.
  const network = readOpenDrive(signalledRoadFile());
  const mesh = new MeshBuilder();
  meshMapSignals(network, mesh);
  const s = mesh.soup();
  const scene = new RaycastScene(buildMeshBvh(s.positions, s.classes, s.materials));

  it('puts a light\'s head (3 lamps: 1.0 m tall, 0.25 m deep) on top of its pole, facing its traffic', () => {
    // From 10 m in front (−x, the side its "+" traffic comes from) at the head's middle height
    // 3.2 − 0.5, 0.15 m aside (past the 0.2 m lenses, within the 0.45 m head).
    const head = castOne(scene, [290, -12.15, 2.7], [1, 0, 0]);
    expect(head.cls).toBe(classId('traffic_light'));
    expect(head.t).toBeCloseTo(10 - 0.125, 4);
    // Below the head, the 0.12 m pole.
    const pole = castOne(scene, [290, -12, 1.0], [1, 0, 0]);
    expect(pole.cls).toBe(classId('pole'));
    expect(pole.t).toBeCloseTo(10 - 0.06, 4);
    // Above 3.2 m there is nothing.
    expect(castOne(scene, [290, -12, 3.3], [1, 0, 0]).t).toBe(Infinity);
  });

  it('puts a 0.2 m lens of its colour 2 cm in front of the head for each lamp, red on top, a lamp pitch (0.3 m) apart', () => {
    // Lamp centres 0.2, 0.5, 0.8 m below the head's top (3.2 m): the lens faces at x = 300 − 0.125 − 0.02.
    const lenses: [number, string][] = [[3.0, 'lamp_red'], [2.7, 'lamp_amber'], [2.4, 'lamp_green']];
    for (const [z, name] of lenses) {
      for (const [dy, dz] of [[0, 0], [0.09, 0.09], [-0.09, -0.09]]) {
        const lens = castOne(scene, [290, -12 + dy, z + dz], [1, 0, 0]);
        expect(lens.cls).toBe(classId('traffic_light'));
        expect(lens.material).toBe(materialId(name as 'lamp_red'));
        expect(lens.t).toBeCloseTo(10 - 0.145, 4);
      }
      // Past the lens's edge: the head's black face.
      expect(castOne(scene, [290, -12 + 0.11, z], [1, 0, 0]).material).toBe(materialId('plastic_black'));
    }
    // Between two lenses (0.15 m from both centres): the head.
    expect(castOne(scene, [290, -12, 2.85], [1, 0, 0]).material).toBe(materialId('plastic_black'));
    // The lamp list the camera lights them by agrees: L1's three, then P1's two (facing +x), and L2's.
    const lamps = signalLamps(network).filter((l) => l.signalId === 'L1');
    expect(lamps.map((l) => l.colour)).toEqual(['red', 'amber', 'green']);
    lamps.forEach((l, k) => {
      expect(l.centre[0]).toBeCloseTo(300 - 0.135, 9);
      expect(l.centre[1]).toBeCloseTo(-12, 9);
      expect(l.centre[2]).toBeCloseTo(3.0 - 0.3 * k, 9);
      expect(l.half).toBeCloseTo(0.1, 9);
    });
    expect(signalLamps(network).filter((l) => l.signalId === 'P1').map((l) => l.colour)).toEqual(['red', 'green']);
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
