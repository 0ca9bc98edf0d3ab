import { describe, expect, it } from 'vitest';
import { type ActorKindName } from '../../src/core/actorKinds.js';
import { fieldArray } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { rotationMatrix } from '../../src/core/pose.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import { drawActorBuild } from '../../src/sim/BodyStyles.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const DEG = Math.PI / 180;

/** An actor with a drawn build standing at (x, y) with a heading, mid-stride or mid-turn. */
function placed(kind: ActorKindName, id: string, instanceId: number, x: number, y: number, heading: number): ActorState {
  const b = drawActorBuild(3, id, kind);
  return {
    id, instanceId, kind, ego: false, pose: { p: [x, y, 0], q: [0, 0, Math.sin(heading / 2), Math.cos(heading / 2)] }, heading,
    velocity: [0, 0, 0], speed: 1.3, box: { length: b.length, width: b.width, height: b.height, center: [b.centerX, 0, b.height / 2] },
    style: b.style, appearance: b.appearance, stature: b.stature || undefined, odometer: 12.3, steer: 0.2, gaitPhase: 0.3,
    road: '', lane: 0, s: 0, t: 0,
  };
}

describe('detailed actors seen by a LiDAR', () => {
  it('put every point of an actor inside its box, with its instance id and the class of the part hit', () => {
    const ground = new MeshBuilder();
    ground.quad([-100, -100, 0], [100, -100, 0], [100, 100, 0], [-100, 100, 0], classId('road'));
    const world = World.fromMesh(ground);
    const actors = [
      placed('car', 'car', 1, 9, 0, 0.4), placed('van', 'van', 2, -10, 3, 2), placed('truck', 'truck', 3, 4, -16, 0.1),
      placed('bus', 'bus', 4, 3, 16, -0.2), placed('pedestrian', 'walker', 5, -5, -5, 1), placed('child', 'kid', 6, 5, 5, -2),
      placed('cyclist', 'bike', 7, -6, 6, 0.7),
    ];
    world.update({ tick: 0, t_ns: 0, actors });
    const config: LidarConfig = {
      name: 'test', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 1.8, roll: 0, pitch: 0, yaw: 0 },
      rateHz: 10, elevations: Array.from({ length: 64 }, (_, i) => (-25 + 0.45 * i) * DEG),
      horizontalFov: 2 * Math.PI, horizontalResolution: 0.2 * DEG, minRange: 0.5, maxRange: 80,
      rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop', motionDistortion: false,
    };
    const ego = { id: 'ego', instanceId: 99, kind: 'car', ego: true, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;
    const frame = new Lidar(config, new Random(1)).capture(world, ego, 0);
    const points = fieldArray(frame.data.points) as Float32Array;
    const semantic = fieldArray(frame.data.semantic) as Uint8Array;
    const instance = fieldArray(frame.data.instance) as Uint32Array;
    const r = rotationMatrix(frame.pose.q);
    const classesOf = new Map<number, Set<number>>();
    let worst = 0;
    for (let i = 0; i < instance.length; i++) {
      if (instance[i] === 0) continue;
      const actor = actors[instance[i] - 1];
      const p = [0, 1, 2].map((k) => frame.pose.p[k] + r[k * 3] * points[i * 4] + r[k * 3 + 1] * points[i * 4 + 1] + r[k * 3 + 2] * points[i * 4 + 2]);
      // Into the actor's body frame (yaw only here).
      const dx = p[0] - actor.pose.p[0], dy = p[1] - actor.pose.p[1];
      const c = Math.cos(actor.heading), s = Math.sin(actor.heading);
      const local = [c * dx + s * dy - (actor.box.center?.[0] ?? 0), -s * dx + c * dy, p[2]];
      worst = Math.max(worst, Math.abs(local[0]) - actor.box.length / 2, Math.abs(local[1]) - actor.box.width / 2, local[2] - actor.box.height, -local[2]);
      if (!classesOf.has(actor.instanceId)) classesOf.set(actor.instanceId, new Set());
      classesOf.get(actor.instanceId)!.add(semantic[i]);
    }
    expect(worst).toBeLessThan(2e-3);
    const named = (id: number): number[] => [...(classesOf.get(id) ?? [])].sort((a, b) => a - b);
    expect(named(1)).toEqual([classId('vehicle')]);
    expect(named(2)).toEqual([classId('vehicle')]);
    expect(named(3)).toEqual([classId('truck')]);
    expect(named(4)).toEqual([classId('bus')]);
    expect(named(5)).toEqual([classId('pedestrian')]);
    expect(named(6)).toEqual([classId('pedestrian')]);
    expect(named(7)).toEqual([classId('rider'), classId('bicycle')].sort((a, b) => a - b));
  });
});
