import { describe, expect, it } from 'vitest';
import { CAR_PAINTS } from '../../src/core/paints.js';
import { strideLength } from '../../src/sim/Bodies.js';
import { BODY_STYLES, drawActorBuild } from '../../src/sim/BodyStyles.js';
import { makeScenario, run } from './fixtures.js';

describe('actor builds', () => {
  it('draw vehicle sizes within their style\'s published range, varying between instances', () => {
    for (const kind of ['car', 'parked_car', 'van', 'truck', 'bus'] as const) {
      const lengths = new Set<number>();
      for (let i = 0; i < 60; i++) {
        const build = drawActorBuild(11, `${kind}-${i}`, kind);
        const style = BODY_STYLES[kind].find((s) => s.name === build.style)!;
        expect(style, `${kind} drew ${build.style}`).toBeDefined();
        for (const axis of ['length', 'width', 'height'] as const) {
          expect(build[axis]).toBeGreaterThanOrEqual(style[axis][0] - 1e-9);
          expect(build[axis]).toBeLessThanOrEqual(style[axis][1] + 1e-9);
        }
        lengths.add(build.length);
      }
      expect(lengths.size, kind).toBeGreaterThan(2);
    }
    // Parked cars come in every style short enough for the kerbside spacing.
    const parked = new Set(Array.from({ length: 60 }, (_, i) => drawActorBuild(11, `roadside_${i}`, 'parked_car').style));
    expect([...parked].sort()).toEqual(['hatchback', 'sedan', 'small_van', 'suv']);
  });

  it('draw people of realistic statures, children smaller than adults', () => {
    const adults = Array.from({ length: 50 }, (_, i) => drawActorBuild(5, `p${i}`, 'pedestrian'));
    const children = Array.from({ length: 50 }, (_, i) => drawActorBuild(5, `c${i}`, 'child'));
    for (const a of adults) expect(a.stature).toBeGreaterThanOrEqual(1.5), expect(a.stature).toBeLessThanOrEqual(1.95);
    for (const c of children) expect(c.stature).toBeGreaterThanOrEqual(1.1), expect(c.stature).toBeLessThanOrEqual(1.4);
    expect(new Set(adults.map((a) => a.stature)).size).toBeGreaterThan(3);
    // Standing height is the stature; the box holds it.
    for (const a of adults) expect(a.height).toBeGreaterThanOrEqual(a.stature);
  });

  it('paint cars from a palette weighted by market share, with a NIR reflectivity per paint', () => {
    expect(CAR_PAINTS.reduce((s, p) => s + p.share, 0)).toBeCloseTo(1, 9);
    const white = CAR_PAINTS.find((p) => p.name === 'white')!, black = CAR_PAINTS.find((p) => p.name === 'black')!;
    expect(white.nir).toBeGreaterThan(0.7);
    expect(black.nir).toBeLessThan(0.1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const name = drawActorBuild(2, `car${i}`, 'car').appearance.paint!.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // White paints (35 %) outnumber the reds (5 %) by far.
    const share = (prefix: string[]): number => prefix.reduce((s, n) => s + (counts.get(n) ?? 0), 0) / 2000;
    expect(share(['white', 'pearl white'])).toBeGreaterThan(0.3);
    expect(share(['red', 'dark red metallic'])).toBeLessThan(0.09);
  });

  it('are the same for the same seed whatever the actor order, and differ between cars and seeds', () => {
    const actors = [
      { id: 'a', kind: 'car' as const, ego: true, road: '1', lane: -2, s: 10, speed: 10 },
      { id: 'b', kind: 'car' as const, road: '1', lane: -1, s: 40, speed: 10 },
      { id: 'p', kind: 'pedestrian' as const, road: '1', lane: -4, s: 100, controllers: [{ type: 'pedestrian' as const, mode: 'walk' as const, speed: 1.2 }] },
    ];
    const looks = (order: typeof actors, seed: number): Record<string, string> => {
      const { states } = run(makeScenario({ actors: order }), 0.1, seed);
      return Object.fromEntries(states[0].actors.map((a) => [a.id, JSON.stringify([a.style, a.box, a.appearance, a.stature])]));
    };
    const first = looks(actors, 4);
    expect(looks(actors, 4)).toEqual(first);
    expect(looks([actors[2], actors[1], actors[0]], 4)).toEqual(first);
    expect(first.a).not.toBe(first.b);
    expect(looks(actors, 5).a).not.toBe(first.a);
  });

  it('advance a walker\'s gait phase by distance over stride length, and hold it standing', () => {
    expect(strideLength(1.37, 1.72)).toBeCloseTo(1.41, 2);
    const scenario = makeScenario({ actors: [
      { id: 'ego', kind: 'car', ego: true, road: '1', lane: -2, s: 10, speed: 10 },
      { id: 'w', kind: 'pedestrian', road: '1', lane: -4, s: 100, controllers: [{ type: 'pedestrian', mode: 'walk', speed: 1.2 }] },
      { id: 's', kind: 'pedestrian', road: '1', lane: -4, s: 130, speed: 0 },
    ] });
    const { states } = run(scenario, 2);
    const walker = (t: number) => states[t].actors.find((a) => a.id === 'w')!;
    const stander = (t: number) => states[t].actors.find((a) => a.id === 's')!;
    expect(walker(150).gaitPhase).not.toBe(walker(100).gaitPhase);
    expect(walker(150).odometer!).toBeGreaterThan(walker(100).odometer!);
    expect(stander(150).gaitPhase).toBe(stander(100).gaitPhase);
    const stride = strideLength(walker(120).speed, walker(120).stature!);
    const advanced = (walker(121).gaitPhase! - walker(120).gaitPhase! + 1) % 1;
    expect(advanced).toBeCloseTo((walker(121).odometer! - walker(120).odometer!) / stride, 6);
  });
});
