import { describe, expect, it } from 'vitest';
import { fieldArray } from '../src/core/frame.js';
import { GroundTruth } from '../src/sensors/GroundTruth.js';
import type { ActorState, WorldState } from '../src/sim/WorldState.js';

describe('ground truth boxes', () => {
  it('puts each box centre half its height above the footprint, with the actor pose, size and ids', () => {
    const yaw = 0.7;
    const actor = (id: string, instanceId: number, x: number, kind: 'car' | 'pedestrian', height: number): ActorState => ({
      id, instanceId, kind, ego: id === 'ego',
      pose: { p: [x, 2, 0.5], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] }, heading: yaw,
      velocity: [3, 4, 0], speed: 5, box: { length: 4, width: 2, height }, road: '1', lane: -1, s: 0, t: 0,
    });
    const state: WorldState = { tick: 3, t_ns: 30_000_000, actors: [actor('ego', 1, 10, 'car', 1.5), actor('kid', 2, 20, 'pedestrian', 1.2)] };
    const sensor = new GroundTruth({ name: 'actors', type: 'ground_truth', rateHz: 10 });
    expect(sensor.schedule.isDue(0)).toBe(true);
    const frame = sensor.capture(state, 0);
    expect(sensor.schedule.isDue(50_000_000)).toBe(false);
    expect(sensor.schedule.isDue(100_000_000)).toBe(true);
    const boxes = Array.from(fieldArray(frame.data.boxes));
    expect(frame.data.boxes.shape).toEqual([2, 10]);
    expect(boxes.slice(0, 10)).toEqual([10, 2, 0.5 + 0.75, 0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2), 4, 2, 1.5]);
    expect(boxes.slice(10, 13)).toEqual([20, 2, 0.5 + 0.6]);
    expect(Array.from(fieldArray(frame.data.instance_ids))).toEqual([1, 2]);
    expect(Array.from(fieldArray(frame.data.classes))).toEqual([26, 24]); // Cityscapes car, person
    expect(Array.from(fieldArray(frame.data.velocities))).toEqual([3, 4, 0, 3, 4, 0]);
    expect(frame.fields).toEqual({ actor_ids: ['ego', 'kid'], kinds: ['car', 'pedestrian'], ego: 'ego' });
    expect([frame.topic, frame.kind, frame.frame_id]).toEqual(['ground_truth/actors', 'ground_truth', 'world']);
  });
});
