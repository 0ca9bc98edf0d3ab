import { describe, expect, it } from 'vitest';
import { ACTOR_KINDS, type ActorKindName } from '../../src/core/actorKinds.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { composePose, rotationMatrix } from '../../src/core/pose.js';
import { classId } from '../../src/core/semantic.js';
import { BODY_STYLES, drawActorBuild } from '../../src/sim/BodyStyles.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { actorParts } from '../../src/world/models/actorParts.js';
import { World } from '../../src/world/World.js';

/** A state of an actor with a drawn build, at the origin, heading along x. */
function stateOf(kind: ActorKindName, id: string, extra: Partial<ActorState> = {}, seed = 7): ActorState {
  const build = drawActorBuild(seed, id, kind);
  return {
    id, instanceId: 5, kind, ego: false, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] }, heading: 0, velocity: [0, 0, 0], speed: 0,
    box: { length: build.length, width: build.width, height: build.height, center: [build.centerX, 0, build.height / 2] },
    style: build.style, appearance: build.appearance, stature: build.stature || undefined, odometer: 0, steer: 0, gaitPhase: 0,
    road: '', lane: 0, s: 0, t: 0, ...extra,
  };
}

/** Every vertex of an actor's parts in its body frame, with its triangle's class. */
function vertices(actor: ActorState): { p: number[]; cls: number }[] {
  const out: { p: number[]; cls: number }[] = [];
  for (const part of actorParts(actor)) {
    const soup = part.build().soup();
    const r = rotationMatrix(part.quaternion);
    for (let i = 0; i < soup.positions.length; i += 3) {
      const v = [soup.positions[i], soup.positions[i + 1], soup.positions[i + 2]];
      out.push({ p: [0, 1, 2].map((k) => part.position[k] + r[k * 3] * v[0] + r[k * 3 + 1] * v[1] + r[k * 3 + 2] * v[2]), cls: soup.classes[Math.floor(i / 9)] });
    }
  }
  return out;
}

/** How far any vertex lies outside the actor's box (0 when all are inside). */
function outsideBox(actor: ActorState): number {
  const { length, width, height, center } = actor.box;
  const cx = center?.[0] ?? 0;
  let worst = 0;
  for (const { p } of vertices(actor)) {
    worst = Math.max(worst, Math.abs(p[0] - cx) - length / 2, Math.abs(p[1]) - width / 2, -p[2], p[2] - height);
  }
  return worst;
}

function expectInsideBox(actor: ActorState): void {
  expect(outsideBox(actor), `${actor.kind} ${actor.style} ${JSON.stringify(actor.box)}`).toBeLessThanOrEqual(1e-4);
}

describe('actor models', () => {
  it('every vehicle style holds all its vertices in its box, at several sizes, steering and turning', () => {
    for (const kind of ['car', 'van', 'truck', 'bus'] as const) {
      const styles = new Set<string>();
      for (let i = 0; i < 24; i++) {
        const actor = stateOf(kind, `${kind}${i}`, { odometer: i * 0.37, steer: ((i % 5) - 2) * 0.3 });
        styles.add(actor.style!);
        expectInsideBox(actor);
      }
      if (kind === 'car') expect(styles.size).toBeGreaterThanOrEqual(3);
    }
  });

  it('people and cyclists stay in their boxes at every gait phase, speed and crank angle', () => {
    for (const kind of ['pedestrian', 'child', 'cyclist'] as const) {
      for (let i = 0; i < 3; i++) {
        for (const [phase, speed] of [[0, 0], [0.1, 0.6], [0.37, 1.4], [0.5, 1.0], [0.72, 2.0], [0.9, 1.4]]) {
          expectInsideBox(stateOf(kind, `${kind}${i}`, { gaitPhase: phase, speed, odometer: phase * 7 }));
        }
      }
    }
  });

  it('labels car parts as the car, the rider as rider and the bicycle as bicycle', () => {
    const car = new Set(vertices(stateOf('car', 'c')).map((v) => v.cls));
    expect([...car]).toEqual([ACTOR_KINDS.car.semanticClass]);
    const cyclist = new Set(vertices(stateOf('cyclist', 'b')).map((v) => v.cls));
    expect([...cyclist].sort()).toEqual([classId('rider'), classId('bicycle')].sort());
    const walker = new Set(vertices(stateOf('pedestrian', 'p')).map((v) => v.cls));
    expect([...walker]).toEqual([classId('pedestrian')]);
  });

  it('turns a wheel by the distance over its radius', () => {
    const at = (odometer: number): ActorState => stateOf('car', 'w', { odometer });
    const wheel0 = actorParts(at(0)).find((p) => p.key.startsWith('wheel:'))!;
    const radius = Number(wheel0.key.split(':')[1]) / 1000;
    const wheel1 = actorParts(at(0.5)).find((p) => p.key.startsWith('wheel:'))!;
    // The top of the tyre, turned by 0.5 / r about the axle (y): forward by r sin, down to r cos.
    const top = (q: readonly number[]): number[] => { const r = rotationMatrix(q); return [r[2] * radius, r[5] * radius, r[8] * radius]; };
    expect(top(wheel0.quaternion)).toEqual([0, 0, radius].map((x) => expect.closeTo(x, 9)) as unknown as number[]);
    const angle = 0.5 / radius;
    const moved = top(wheel1.quaternion);
    expect(moved[0]).toBeCloseTo(radius * Math.sin(angle), 9);
    expect(moved[2]).toBeCloseTo(radius * Math.cos(angle), 9);
  });

  it('moves a walker\'s legs between two frames and not a standing person\'s', () => {
    const legs = (actor: ActorState): string => JSON.stringify(actorParts(actor).filter((p) => /thigh|shin|foot/.test(p.key)).map((p) => [p.position, p.quaternion]));
    expect(legs(stateOf('pedestrian', 'p', { speed: 1.3, gaitPhase: 0.1 }))).not.toBe(legs(stateOf('pedestrian', 'p', { speed: 1.3, gaitPhase: 0.15 })));
    expect(legs(stateOf('pedestrian', 'p', { speed: 0, gaitPhase: 0.1 }))).toBe(legs(stateOf('pedestrian', 'p', { speed: 0, gaitPhase: 0.15 })));
    // Standing: legs together and straight, feet flat on the ground.
    const standing = vertices(stateOf('pedestrian', 'p'));
    expect(Math.min(...standing.map((v) => v.p[2]))).toBeCloseTo(0, 6);
  });

  it('builds each part mesh once and reports its triangle counts', () => {
    const world = World.fromMesh(new MeshBuilder());
    const actors = ['car', 'car', 'van', 'truck', 'bus', 'pedestrian', 'child', 'cyclist'].map((kind, i) => stateOf(kind as ActorKindName, `a${i}`, { instanceId: i + 1 }));
    world.update({ tick: 0, t_ns: 0, actors });
    const count = world.partMeshCount;
    world.update({ tick: 1, t_ns: 1, actors: actors.map((a) => ({ ...a, odometer: 3 })) });
    expect(world.partMeshCount).toBe(count);
    for (const a of actors) {
      const tris = actorParts(a).reduce((n, p) => n + p.build().triangleCount, 0);
      console.log(`${a.kind} ${a.style} ${a.box.length.toFixed(2)}x${a.box.width.toFixed(2)}x${a.box.height.toFixed(2)}: ${actorParts(a).length} parts, ${tris} triangles`);
      expect(world.partsOf(a.instanceId).length).toBe(actorParts(a).length);
    }
    void composePose;
  });
});
