import { UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { Random } from '../core/Random.js';
import type { GpuRaycaster } from '../raycast/gpu/GpuRaycaster.js';
import { finishNow, type PoolWork } from '../raycast/PoolTasks.js';
import type { ActorState, WorldState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { Camera } from './camera/Camera.js';
import { GroundTruth } from './GroundTruth.js';
import { Gnss } from './Gnss.js';
import { Imu } from './Imu.js';
import { Lidar } from './Lidar.js';
import { Radar } from './Radar.js';
import type { Rig } from './Rig.js';

/** One simulation step as the sensors see it: the world, and its states at both ends. */
export interface StepContext {
  world: World;
  from: WorldState;
  to: WorldState;
  /** The state halfway through the step (computed once, shared by every sensor). */
  middle(): WorldState;
}

/**
 * A sensor as the run loop sees it: its topic, and the frame (if any) it completes in a step.
 * A sensor places the world's actors (`world.update`, which rebuilds the top-level BVH) only
 * in the steps it works in: the step it fires in, or for a rolling shutter or a spinning
 * LiDAR's motion distortion, every step of its exposure or sweep; a step in which no sensor
 * works costs the simulation only.
 */
export interface MountedSensor {
  topic: string;
  advance(step: StepContext): Frame | undefined;
  /**
   * A camera's step as pool work (PoolWork): its tiles' phases are yielded, so the run's
   * sensor pipeline does the other sensors' work, and the next steps', while the pool's
   * workers draw. The camera draws in a twin of the world (World.twin) that only it places,
   * so the others may place theirs meanwhile. `advance` is this finished at once.
   */
  work?(step: StepContext): PoolWork<Frame | undefined>;
  /** Whether `work` does anything in this step (it is due, or its rolling shutter is reading out). */
  worksIn?(step: StepContext): boolean;
  /** Gives up what the sensor keeps beyond itself (a camera's engines on the pool's workers); called when the run ends. */
  dispose?(): void;
  /** A camera draws its visibility on this GPU from now on (Camera.useGpu): a run on `--backend gpu`. */
  useGpu?(gpu: GpuRaycaster): void;
}

/**
 * The actor id each sensor is mounted on (undefined for world sensors such as ground truth);
 * a rig naming an actor the scenario does not have is an error naming the sensor.
 */
export function checkSensorParents(rig: Rig, actors: readonly { id: string; ego: boolean }[]): (string | undefined)[] {
  const ego = actors.find((a) => a.ego);
  return rig.sensors.map((config) => {
    if (config.type === 'ground_truth') return undefined;
    const parentId = config.parent === 'ego' ? ego?.id : config.parent;
    if (!parentId || !actors.some((a) => a.id === parentId)) {
      throw new UserError(`sensor "${config.name}" is mounted on "${config.parent}", which is not an actor here (actors: ${actors.map((a) => a.id).join(', ')})`, rig.file);
    }
    return parentId;
  });
}

/**
 * Builds the rig's sensors for a set of actors: each mounted sensor resolves its parent
 * ("ego" or an actor id) here, so a rig naming an unknown actor fails before the run starts.
 * Each sensor draws its noise from its own stream, split from the seed by sensor name.
 */
export function mountSensors(rig: Rig, actors: readonly { id: string; ego: boolean }[], seed: number): MountedSensor[] {
  const random = new Random(seed).split('sensors');
  const parents = checkSensorParents(rig, actors);
  return rig.sensors.map((config, i): MountedSensor => {
    if (config.type === 'ground_truth') {
      const sensor = new GroundTruth(config);
      return {
        topic: sensor.topic,
        advance: ({ from }) => (sensor.schedule.isDue(from.t_ns) ? sensor.capture(from, from.t_ns) : undefined),
      };
    }
    const parentId = parents[i]!;
    const parent = (state: WorldState): ActorState => state.actors.find((a) => a.id === parentId)!;
    const stream = random.split(config.name);
    switch (config.type) {
      case 'lidar': {
        const lidar = new Lidar(config, stream);
        // Whether a motion-distorted sweep is under way (Lidar.advance starts one when due and
        // ends it with its frame): only then do its columns need the world.
        let sweeping = false;
        return {
          topic: lidar.topic,
          advance: ({ world, from, to, middle }) => {
            if (!config.motionDistortion) {
              if (!lidar.schedule.isDue(from.t_ns)) return undefined;
              world.update(from);
              return lidar.capture(world, parent(from), from.t_ns, from.actors, from.weather);
            }
            if (!sweeping && !lidar.schedule.isDue(from.t_ns)) return undefined;
            // Other actors are placed where they are halfway through the step; the sensor itself
            // is interpolated to every column's own time.
            world.update(middle());
            const frame = lidar.advance(world, parent(from), parent(to), from.t_ns, to.t_ns, from.actors, from.weather);
            sweeping = frame === undefined;
            return frame;
          },
        };
      }
      case 'radar': {
        const radar = new Radar(config, stream);
        return {
          topic: radar.topic,
          advance: ({ world, from }) => {
            if (!radar.schedule.isDue(from.t_ns)) return undefined;
            world.update(from);
            return radar.capture(world, parent(from), from, from.t_ns);
          },
        };
      }
      case 'camera': {
        const camera = new Camera(config);
        // The camera's own placement of the actors, in a twin of each world it is given.
        const twins = new WeakMap<World, World>();
        const twinOf = (world: World): World => {
          let twin = twins.get(world);
          if (!twin) twins.set(world, (twin = world.twin()));
          return twin;
        };
        // Due, or a rolling shutter being read out (Camera.advance starts an exposure when due
        // and ends it with its frame, over several steps): else the world is not placed for it.
        const worksIn = ({ from }: StepContext): boolean => camera.exposing || camera.schedule.isDue(from.t_ns);
        const work = function* (step: StepContext): PoolWork<Frame | undefined> {
          if (!worksIn(step)) return undefined;
          const { world, from, to, middle } = step;
          const own = twinOf(world);
          if (!config.rollingShutter) {
            own.update(from);
            return yield* camera.captureWork(own, parent(from), from.t_ns, from.weather);
          }
          // As the LiDAR: other actors halfway through the step, the camera at each band's time.
          own.update(middle());
          return yield* camera.advanceWork(own, parent(from), parent(to), from.t_ns, to.t_ns, from.weather);
        };
        return {
          topic: camera.topic,
          dispose: () => camera.dispose(),
          useGpu: (gpu) => camera.useGpu(gpu),
          work,
          worksIn,
          advance: (step) => finishNow(work(step)),
        };
      }
      case 'imu': {
        const imu = new Imu(config, stream);
        return {
          topic: imu.topic,
          advance: ({ from, to }) => (imu.schedule.isDue(from.t_ns) ? imu.capture(parent(from), parent(to), (to.t_ns - from.t_ns) / 1e9, from.t_ns) : undefined),
        };
      }
      case 'gnss': {
        const gnss = new Gnss(config, stream);
        return {
          topic: gnss.topic,
          advance: ({ from }) => (gnss.schedule.isDue(from.t_ns) ? gnss.capture(parent(from), from.t_ns) : undefined),
        };
      }
    }
  });
}
