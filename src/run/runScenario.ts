import { availableParallelism } from 'node:os';
import { FRAME_VERSION, type Frame } from '../core/frame.js';
import { secondsToNs } from '../core/SimClock.js';
import type { Scenario, Weather } from '../scenario/Scenario.js';
import { interpolateState } from '../sensors/interpolation.js';
import { mountSensors, type MountedSensor } from '../sensors/Rigging.js';
import { SensorPipeline } from './SensorPipeline.js';
import type { Rig } from '../sensors/Rig.js';
import { SignalTruth, SIGNALS_TOPIC } from '../sensors/SignalTruth.js';
import { MetricsTopic, METRICS_TOPIC } from '../sensors/MetricsTopic.js';
import type { CriticalitySummary } from '../sim/CriticalityMonitor.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { Simulation } from '../sim/Simulation.js';
import type { SimEvent } from '../sim/events.js';
import type { ScenarioOutcome, WorldState } from '../sim/WorldState.js';
import { planRoadside, type RoadsidePlan } from '../world/RoadsideDressing.js';
import { loadActorModels, type ActorModelMeshes } from '../world/GltfModel.js';
import { World } from '../world/World.js';
import { RaycastPool } from '../raycast/RaycastPool.js';
import { openRaycastBackend, type RaycastBackendInfo, type RaycastBackendName } from '../raycast/gpu/RaycastBackend.js';
import type { GpuRaycaster } from '../raycast/gpu/GpuRaycaster.js';
import type { FrameSink } from '../io/FrameSink.js';
import { RunControl } from './RunControl.js';

export type { FrameSink } from '../io/FrameSink.js';

export interface RunOptions {
  scenario: Scenario;
  rig: Rig;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Simulated seconds; overrides the scenario's duration. */
  duration?: number;
  sinks?: FrameSink[];
  /** Pace the simulation to the wall clock (live streaming); off for offline runs. */
  realtime?: boolean;
  /** Pause, resume, step and rate from the outside (a socket); made from `realtime` if absent. */
  control?: RunControl;
  /** Stops the run early, after the current tick (Ctrl-C); what was produced is kept. */
  signal?: AbortSignal;
  /**
   * Threads the sensors raycast on (default: one per core; 1 casts on this thread only).
   * Frames are byte-identical whatever the number.
   */
  threads?: number;
  /** Publish the ego's criticality metrics on METRICS_TOPIC at 10 Hz (the run's summary is always made). */
  metrics?: boolean;
  /** The scenario's glTF models, if already loaded (`loadRunInputs` does); else loaded here. */
  models?: ActorModelMeshes;
  /**
   * What the LiDAR and radar raycast on (raycast/gpu/RaycastBackend.ts): `cpu` (the default),
   * `gpu` (an error when there is no adapter), `auto` (the GPU when a hardware adapter exists).
   * On the GPU, cameras rasterise their visibility there and shade it on the CPU.
   * Frames are byte-identical run to run on one backend.
   */
  backend?: RaycastBackendName;
  /** With the GPU: the adapter whose name contains this (when several are visible). */
  gpuAdapter?: string;
  /** Told what the run raycasts on, before its first step. */
  onRaycastBackend?: (info: RaycastBackendInfo) => void;
}

export interface RunSummary {
  ticks: number;
  simulatedSeconds: number;
  frames: Record<string, number>;
  interrupted: boolean;
  /** How the storyboard ended the scenario, if it did before the duration ran out. */
  outcome?: ScenarioOutcome;
  /** Every event of the run (triggers, actions, collisions, lane changes, the end), in order. */
  events: SimEvent[];
  /**
   * Each time the weather in force changed during the run (a storyboard weather action), with
   * the weather from then on (null: clear); empty when it held from start to end.
   */
  weatherChanges: WeatherChange[];
  /** What the LiDAR and radar raycast on. */
  raycast: RaycastBackendInfo;
  /** The run's criticality: min TTC and THW, max DST, min distance, the first infraction. */
  criticality: CriticalitySummary;
}

export interface WeatherChange {
  t_ns: number;
  weather: Weather | null;
}

/**
 * How a run ended: as the storyboard said (success, failure, stopped), or `timeout` when the
 * duration ran out first, or `interrupted` when it was stopped from outside (Ctrl-C).
 */
export type RunOutcome = ScenarioOutcome | { result: 'timeout' | 'interrupted'; reason: string; t_ns: number };

export function runOutcome(summary: Pick<RunSummary, 'outcome' | 'interrupted' | 'simulatedSeconds'>): RunOutcome {
  if (summary.outcome) return summary.outcome;
  const t_ns = Math.round(summary.simulatedSeconds * 1e9);
  if (summary.interrupted) return { result: 'interrupted', reason: `stopped from outside after ${summary.simulatedSeconds.toFixed(2)} s`, t_ns };
  return { result: 'timeout', reason: `the duration (${summary.simulatedSeconds.toFixed(2)} s) ran out before the storyboard ended the scenario`, t_ns };
}

/** The topic that carries simulation events, one frame per step that has any. */
export const EVENTS_TOPIC = 'events';

/**
 * Every topic a run of this rig produces, `<type>/<name>` per sensor and the events, with
 * what a viewer needs to know of it before its first frame: a camera's outputs and lens.
 */
export function runTopics(rig: Rig, network?: RoadNetwork, options: { metrics?: boolean } = {}): { topic: string; kind: string; outputs?: string[]; model?: string }[] {
  return [
    ...rig.sensors.map((s) => ({ topic: `${s.type}/${s.name}`, kind: s.type, ...(s.type === 'camera' ? { outputs: [...s.outputs], model: s.model } : {}) })),
    { topic: EVENTS_TOPIC, kind: 'events' },
    ...(options.metrics ? [{ topic: METRICS_TOPIC, kind: 'metrics' }] : []),
    // The map's traffic signals and signs (SignalTruth.ts), where it has any.
    ...(network && network.signals().length > 0 ? [{ topic: SIGNALS_TOPIC, kind: 'signals' }] : []),
  ];
}

/**
 * The start of a run: the roadside, decided once (its scenery goes into the world's static
 * mesh, its parked cars into the simulation as static actors: ground truth, labels,
 * collisions, sensor instances), and the simulation with every actor placed at time 0. What
 * `scenario check` builds too, so that it refuses what a run would.
 */
export function startRun(scenario: Scenario, seed: number): { roadside: RoadsidePlan; simulation: Simulation } {
  const roadside = planRoadside(scenario.network, seed, { buildings: scenario.buildings, furniture: scenario.furniture });
  return { roadside, simulation: new Simulation(scenario, seed, { staticActors: roadside.parkedCars }) };
}

/**
 * The live source: steps the simulation over [0, duration), updates the world's actor
 * instances when a sensor is due, and hands every sensor frame to every sink in order.
 * A sensor of rate f fires at t = 0, 1/f, 2/f, ... so a run of D seconds yields ceil(D f)
 * frames per sensor (for rates whose period is a multiple of the step).
 */
export async function runScenario(options: RunOptions): Promise<RunSummary> {
  const { scenario, rig } = options;
  const seed = options.seed ?? scenario.seed;
  const durationNs = secondsToNs(options.duration ?? scenario.duration);
  const { roadside, simulation } = startRun(scenario, seed);
  const control = options.control ?? new RunControl(options.realtime);
  // Before anything is awaited: a client may send ego commands as soon as the run is called.
  control.attachEgo((message) => {
    const { type: _type, ...command } = message;
    return simulation.acceptsCommands() ? simulation.command(command) : 'the ego of this scenario has no external controller';
  });
  let pool: RaycastPool | undefined;
  let gpu: GpuRaycaster | undefined;
  let sensors: MountedSensor[] = [];
  try {
    const world = World.build(scenario.network, roadside, { models: options.models ?? (await loadActorModels(scenario)) });
    sensors = mountSensors(rig, scenario.actors, seed);
    const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    if (threads > 1 && sensors.length > 0) pool = await RaycastPool.create(world.scene, { workers: threads - 1 });
    world.scene.usePool(pool);
    // `auto` looks for a GPU only when a sensor would use it (a range sensor, a camera); an explicit `gpu` always does.
    const drawn = rig.sensors.some((s) => s.type === 'lidar' || s.type === 'radar' || s.type === 'camera');
    const backend = options.backend === 'auto' && !drawn ? 'cpu' : options.backend ?? 'cpu';
    const choice = await openRaycastBackend(world.scene, backend, { adapter: options.gpuAdapter });
    gpu = choice.gpu;
    world.scene.useRangingCaster(gpu);
    // The cameras rasterise their visibility there too (their shading stays on the CPU).
    if (gpu) for (const sensor of sensors) sensor.useGpu?.(gpu);
    options.onRaycastBackend?.(choice.info);
    return { ...(await simulate(options, control, simulation, world, sensors, durationNs)), raycast: choice.info };
  } finally {
    control.attachEgo(undefined);
    gpu?.close();
    for (const sensor of sensors) sensor.dispose?.();
    await pool?.close();
  }
}

async function simulate(
  options: RunOptions, control: RunControl, simulation: Simulation, world: World, sensors: MountedSensor[], durationNs: number,
): Promise<Omit<RunSummary, 'raycast'>> {
  const frames: Record<string, number> = Object.fromEntries(sensors.map((s) => [s.topic, 0]));
  const sinks = options.sinks ?? [];
  const events: SimEvent[] = [];
  let eventSeq = 0;
  const signalTruth = new SignalTruth(simulation.network, world.signalBodies);
  const metricsTopic = options.metrics ? new MetricsTopic(simulation.criticality) : undefined;

  let state: WorldState = simulation.state();
  let interrupted = false;
  const weatherChanges: WeatherChange[] = [];
  // Every frame goes through the pipeline, in the order of a run without a pool (SensorPipeline.ts).
  const pipeline = new SensorPipeline(sensors);
  const writeReady = async (): Promise<boolean> => {
    const ready = pipeline.ready();
    for (let k = 0; k < ready.length; k++) {
      const frame = ready[k];
      frames[frame.topic] = (frames[frame.topic] ?? 0) + 1;
      for (const sink of sinks) await sink.write(frame);
      // The frames held behind a camera image leave together: let sockets flush between them,
      // as they would between steps.
      if (k + 1 < ready.length) await new Promise((resolve) => setImmediate(resolve));
    }
    return ready.length > 0;
  };
  while (state.t_ns < durationNs) {
    // A run that stops at its gate has given every frame of the ticks before.
    if (control.paused) {
      pipeline.settle();
      await writeReady();
    }
    await control.gate(state.t_ns, options.signal);
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    // Sensors cover the step [state, next): a LiDAR column fires at its own time within it.
    const from = state;
    const to = simulation.step();
    const stepEvents = simulation.drainEvents();
    events.push(...stepEvents);
    // One frame per tick the events belong to: the first step also drains the events of the
    // start (tick 0), and each event's time is its frame's.
    for (let i = 0; i < stepEvents.length;) {
      let j = i;
      while (j < stepEvents.length && stepEvents[j].t_ns === stepEvents[i].t_ns) j++;
      pipeline.emit(eventsFrame(eventSeq++, stepEvents[i].t_ns, stepEvents.slice(i, j)));
      i = j;
    }
    if (JSON.stringify(to.weather) !== JSON.stringify(from.weather)) weatherChanges.push({ t_ns: to.t_ns, weather: to.weather ?? null });
    // The signals' states and the ego's criticality metrics: ground truth of the step.
    pipeline.emit(signalTruth.empty ? undefined : signalTruth.advance(to.t_ns, to.signals));
    pipeline.emit(metricsTopic?.advance(to.t_ns));
    let middle: WorldState | undefined;
    pipeline.step({ world, from, to, middle: () => (middle ??= interpolateState(from, to, 0.5)) });
    // Let sockets flush and signals arrive between frames.
    if (await writeReady()) await new Promise((resolve) => setImmediate(resolve));
    state = to;
    if (simulation.finished) break;
  }
  // The camera image under way, and the frames after it.
  pipeline.settle();
  await writeReady();
  return { ticks: state.tick, simulatedSeconds: state.t_ns / 1e9, frames, interrupted, outcome: simulation.outcome, events, weatherChanges, criticality: simulation.criticality.result(events) };
}

/** A step's events as a frame; each event is a JSON string, since events differ in shape. */
function eventsFrame(seq: number, tNs: number, events: SimEvent[]): Frame {
  return {
    v: FRAME_VERSION,
    topic: EVENTS_TOPIC,
    kind: 'events',
    seq,
    t_ns: tNs,
    frame_id: 'world',
    pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
    fields: { events: events.map((e) => JSON.stringify(e)) },
    data: {},
  };
}
