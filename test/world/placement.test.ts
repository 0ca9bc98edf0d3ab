import { describe, expect, it } from 'vitest';
import type { ActorKindName } from '../../src/core/actorKinds.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { createHitBuffer, type RayBatch } from '../../src/raycast/Rays.js';
import { drawActorBuild } from '../../src/sim/BodyStyles.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

function actor(kind: ActorKindName, id: string, instanceId: number, x: number, extra: Partial<ActorState> = {}): ActorState {
  const build = drawActorBuild(3, id, kind);
  return {
    id, instanceId, kind, ego: false, pose: { p: [x, 0, 0], q: [0, 0, 0, 1] }, heading: 0, velocity: [0, 0, 0], speed: 0,
    box: { length: build.length, width: build.width, height: build.height, center: [build.centerX, 0, build.height / 2] },
    style: build.style, appearance: build.appearance, stature: build.stature || undefined, odometer: 0, steer: 0, gaitPhase: 0,
    road: '', lane: 0, s: 0, t: 0, ...extra,
  };
}

/** Where every part stands, per instance, in order: what the sensors' top level is built from. */
function placement(world: World): unknown[] {
  return world.placedParts.map((p) => [p.instanceId, p.model, [...p.position], [...p.quaternion]]);
}

/** Rays down onto a row of points along x: what the scene's top level answers (distance and instance per ray). */
function castDown(world: World): [number, number][] {
  const xs = Array.from({ length: 400 }, (_, i) => -5 + i * 0.1);
  const rays: RayBatch = { origins: new Float32Array(xs.length * 3), directions: new Float32Array(xs.length * 3), count: xs.length, tMin: 0, tMax: 100 };
  xs.forEach((x, i) => {
    rays.origins.set([x, 0.1, 10], i * 3);
    rays.directions.set([0, 0, -1], i * 3);
  });
  const hits = createHitBuffer(xs.length);
  world.scene.cast(rays, hits);
  return [...hits.distance].map((d, i) => [d, hits.instanceId[i]]);
}

describe('World.update across steps', () => {
  const first: WorldState = { tick: 0, t_ns: 0, actors: [actor('car', 'parked', 1, 0), actor('pedestrian', 'walker', 2, 8), actor('car', 'driver', 3, 16)] };
  // The next step: new state objects for all three, the parked car unchanged, the walker mid-stride, the driver 1 m on.
  const second: WorldState = {
    tick: 1, t_ns: 10_000_000,
    actors: [
      { ...first.actors[0], pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } },
      { ...first.actors[1], gaitPhase: 0.25, speed: 1.4 },
      { ...first.actors[2], pose: { p: [17, 0, 0], q: [0, 0, 0, 1] }, odometer: 1, speed: 10 },
    ],
  };

  it('places each actor as a world that never saw the step before does', () => {
    const stepped = World.fromMesh(new MeshBuilder());
    stepped.update(first);
    const before = stepped.partsOf(1);
    stepped.update(second);
    const fresh = World.fromMesh(new MeshBuilder());
    fresh.update(second);
    expect(placement(stepped)).toEqual(placement(fresh));
    expect(castDown(stepped)).toEqual(castDown(fresh));
    // The parked car's parts are the ones placed the step before; the others moved.
    expect(stepped.partsOf(1)).toBe(before);
    expect(castDown(stepped).filter(([, id]) => id === 3).length).toBeGreaterThan(0);
  });

  it('keeps the scene as it was when nothing moved, and answers a step back as before', () => {
    const world = World.fromMesh(new MeshBuilder());
    world.update(first);
    const atFirst = castDown(world);
    world.update(second);
    world.update({ ...first, actors: first.actors.map((a) => ({ ...a })) });
    expect(castDown(world)).toEqual(atFirst);
  });
});
