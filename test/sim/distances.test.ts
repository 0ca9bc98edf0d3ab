import { describe, expect, it } from 'vitest';
import { ACTOR_KINDS } from '../../src/core/actorKinds.js';
import type { RoadNetwork } from '../../src/map/RoadNetwork.js';
import { SimActor } from '../../src/sim/Actor.js';
import { distanceToPoint, relativeDistance, timeHeadway, timeToCollision, type DistanceHow } from '../../src/sim/Distances.js';

// OpenSCENARIO distances between two 4 m × 2 m cars on a straight road along +x (s = x,
// t = y): a's body centre at x 10, reference point 1.5 m behind it; b's at (30, 3.5),
// reference point 1 m behind. Every expected value is worked out from these numbers.

const noNetwork = {} as RoadNetwork;

function car(id: string, x: number, y: number, heading: number, referenceOffset: number, speed = 0): SimActor {
  const a = new SimActor({ id, kind: 'car', ego: false, position: { type: 'world', x, y }, speed, controllers: [], dimensions: { length: 4, width: 2, height: 1.5 }, referenceOffset }, 1, ACTOR_KINDS.car);
  Object.assign(a, { x, y, heading, road: '1', s: x, t: y, roadHeading: 0, speed, vel: [speed * Math.cos(heading), speed * Math.sin(heading), 0] });
  return a;
}

const how = (coordinateSystem: DistanceHow['coordinateSystem'], type: DistanceHow['type'], freespace = false): DistanceHow => ({ coordinateSystem, type, freespace });

describe('OpenSCENARIO distances (reference points, boxes, coordinate systems)', () => {
  const a = car('a', 10, 0, 0, 1.5, 20);
  const b = car('b', 30, 3.5, 0, 1, 10);

  it('entity frame: between reference points, or between boxes with freespace', () => {
    expect(relativeDistance(noNetwork, a, b, how('entity', 'longitudinal'))).toBeCloseTo(29 - 8.5, 12);
    expect(relativeDistance(noNetwork, a, b, how('entity', 'longitudinal', true))).toBeCloseTo(28 - 12, 12);
    expect(relativeDistance(noNetwork, a, b, how('entity', 'lateral'))).toBeCloseTo(3.5, 12);
    expect(relativeDistance(noNetwork, a, b, how('entity', 'lateral', true))).toBeCloseTo(3.5 - 2, 12);
    expect(relativeDistance(noNetwork, a, b, how('entity', 'euclidean'))).toBeCloseTo(Math.hypot(20.5, 3.5), 12);
    // Nearest corners: a's (12, 1) and b's (28, 2.5).
    expect(relativeDistance(noNetwork, a, b, how('entity', 'euclidean', true))).toBeCloseTo(Math.hypot(16, 1.5), 12);
    // b turned across a's path at (30, 0): its box spans x 29..31.
    expect(relativeDistance(noNetwork, a, car('c', 30, 0, Math.PI / 2, 1), how('entity', 'longitudinal', true))).toBeCloseTo(29 - 12, 12);
  });

  it('road frame: s and t of the reference points, signed by the direction a travels', () => {
    expect(relativeDistance(noNetwork, a, b, how('road', 'longitudinal'))).toBeCloseTo(20.5, 12);
    expect(relativeDistance(noNetwork, a, b, how('lane', 'lateral'))).toBeCloseTo(3.5, 12);
    expect(relativeDistance(noNetwork, a, b, how('road', 'euclidean'))).toBeCloseTo(Math.hypot(20.5, 3.5), 12);
    expect(relativeDistance(noNetwork, a, b, how('road', 'longitudinal', true))).toBeCloseTo(16, 12);
    // Driving towards −s, a's reference point is at s 11.5 and b (reference s 29) lies behind.
    const back = car('back', 10, 0, Math.PI, 1.5);
    expect(relativeDistance(noNetwork, back, b, how('road', 'longitudinal'))).toBeCloseTo(-(29 - 11.5), 12);
    expect(relativeDistance(noNetwork, back, b, how('road', 'lateral'))).toBeCloseTo(-3.5, 12);
  });

  it('headway is distance over the follower’s speed; time to collision is gap over closing speed', () => {
    expect(timeHeadway(noNetwork, a, b, how('entity', 'euclidean'))).toBeCloseTo(Math.hypot(20.5, 3.5) / 20, 12);
    expect(timeHeadway(noNetwork, a, b, how('road', 'longitudinal', true))).toBeCloseTo(16 / 20, 12);
    // Closing at 20 − 10 m/s over the 16 m between the boxes.
    expect(timeToCollision(noNetwork, a, b, how('entity', 'longitudinal', true))).toBeCloseTo(1.6, 12);
    // b behind a: no headway, no collision ahead.
    expect(timeHeadway(noNetwork, b, a, how('entity', 'longitudinal'))).toBeUndefined();
    expect(timeToCollision(noNetwork, b, a, how('entity', 'longitudinal'))).toBeUndefined();
  });

  it('DistanceCondition: from the reference point, or from the box with freespace, to a position', () => {
    const p = { x: 20, y: 0, heading: 0 };
    expect(distanceToPoint(noNetwork, a, p, how('entity', 'euclidean'))).toBeCloseTo(20 - 8.5, 12);
    expect(distanceToPoint(noNetwork, a, p, how('entity', 'euclidean', true))).toBeCloseTo(20 - 12, 12);
    expect(distanceToPoint(noNetwork, a, { x: 10, y: 5, heading: 0 }, how('entity', 'lateral', true))).toBeCloseTo(5 - 1, 12);
  });
});
