import { UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { Random } from '../core/Random.js';
import type { WorldState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { GroundTruth } from './GroundTruth.js';
import { Lidar } from './Lidar.js';
import type { Rig } from './Rig.js';
import type { SensorSchedule } from './SensorSchedule.js';

/** A sensor as the run loop sees it: when it fires, and the frame it makes from the world. */
export interface MountedSensor {
  topic: string;
  schedule: SensorSchedule;
  /** Whether it casts rays, so the world's actor instances must be up to date. */
  castsRays: boolean;
  capture(world: World, state: WorldState, tNs: number): Frame;
}

/**
 * Builds the rig's sensors for a set of actors: each mounted sensor resolves its parent
 * ("ego" or an actor id) here, so a rig naming an unknown actor fails before the run starts.
 * Each sensor draws its noise from its own stream, split from the seed by sensor name.
 */
export function mountSensors(rig: Rig, actors: readonly { id: string; ego: boolean }[], seed: number): MountedSensor[] {
  const random = new Random(seed).split('sensors');
  const ego = actors.find((a) => a.ego);
  return rig.sensors.map((config): MountedSensor => {
    if (config.type === 'ground_truth') {
      const sensor = new GroundTruth(config);
      return { topic: sensor.topic, schedule: sensor.schedule, castsRays: false, capture: (_world, state, tNs) => sensor.capture(state, tNs) };
    }
    const parentId = config.parent === 'ego' ? ego?.id : config.parent;
    if (!parentId || !actors.some((a) => a.id === parentId)) {
      throw new UserError(`sensor "${config.name}" is mounted on "${config.parent}", which is not an actor here (actors: ${actors.map((a) => a.id).join(', ')})`, rig.file);
    }
    const lidar = new Lidar(config, random.split(config.name));
    return {
      topic: lidar.topic,
      schedule: lidar.schedule,
      castsRays: true,
      capture: (world, state, tNs) => lidar.capture(world, state.actors.find((a) => a.id === parentId)!, tNs),
    };
  });
}
