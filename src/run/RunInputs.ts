/**
 * What a run is made from, loaded and checked the same way by `run`, `sweep` and
 * `scenario check`: the scenario (with its parameter values), the sensor rig, the seed and the
 * duration; and what a recording of it carries so that it can be replayed with its roads and
 * re-run exactly (metadata and the files themselves as attachments).
 */
import type { CriticalitySummary } from '../sim/CriticalityMonitor.js';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { FILE_LIMITS, readUserFile } from '../core/UserFile.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { loadScenarioFile } from '../scenario/loadScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { checkSensorParents } from '../sensors/Rigging.js';
import { loadRig, type Rig } from '../sensors/Rig.js';
import { loadActorModels, type ActorModelMeshes } from '../world/GltfModel.js';
import type { WeatherChange } from './runScenario.js';
import type { RaycastBackendInfo } from '../raycast/gpu/RaycastBackend.js';
import type { RecorderOptions } from '../io/McapRecorder.js';
import { parseObjectives } from '../scenario/objectives.js';

/** The rig a scenario without one runs with (OpenSCENARIO files name none). */
export const DEFAULT_RIG_FILE = fileURLToPath(new URL('../../sensors/default.yaml', import.meta.url));

export interface RunInputs {
  scenarioFile: string;
  scenario: Scenario;
  rigFile: string;
  /** Whether the rig is the scenario's own (or the default one), not given separately. */
  rigFromScenario: boolean;
  rig: Rig;
  seed: number;
  /** Simulated seconds. */
  duration: number;
  /** The step the caller set (s), already in scenario.step; absent: the scenario's own. */
  step?: number;
  /** The scenario's glTF models (`models:`), loaded and checked. */
  models: ActorModelMeshes;
}

export interface RunInputOptions {
  /** `--param name=value` overrides. */
  params?: Record<string, string | number>;
  /** A rig file overriding the scenario's. */
  rig?: string;
  seed?: number;
  duration?: number;
  /** The fixed simulation step (s, 0 < step ≤ 1) for any scenario, instead of its own. */
  step?: number;
  /** false: no roadside objects (buildings, street lights, trees, parked cars), whatever the scenario says. */
  dressing?: boolean;
  /** Objectives beyond the scenario's, by name (a search's `--objective`): refused naming `--objective` when they are not. */
  objectives?: Record<string, string>;
}

/**
 * Loads and checks everything a run needs before it starts: the scenario against its map, the
 * rig, and that every sensor's parent is an actor of the scenario.
 */
export async function loadRunInputs(scenarioFile: string, options: RunInputOptions = {}): Promise<RunInputs> {
  const loaded = await loadScenarioFile(scenarioFile, { params: options.params });
  if (options.step !== undefined && !(options.step > 0 && options.step <= 1)) throw new UserError(`the step must be > 0 and <= 1 s, got ${options.step}`, 'step');
  const stepped = options.step !== undefined ? { ...loaded, step: options.step } : loaded;
  const dressed = options.dressing === false ? { ...stepped, buildings: 0, furniture: false } : stepped;
  const scenario = options.objectives ? { ...dressed, objectives: [...(dressed.objectives ?? []), ...parseObjectives(options.objectives, dressed.actors.map((a) => a.id), refuseObjective)] } : dressed;
  const rigFile = options.rig ?? scenario.rigFile ?? DEFAULT_RIG_FILE;
  const rig = loadRig(rigFile);
  checkSensorParents(rig, scenario.actors);
  const models = await loadActorModels(scenario);
  return {
    scenarioFile,
    scenario,
    rigFile,
    rigFromScenario: options.rig === undefined,
    rig,
    seed: options.seed ?? scenario.seed,
    duration: options.duration ?? scenario.duration,
    ...(options.step !== undefined ? { step: options.step } : {}),
    models,
  };
}

const MEDIA_TYPES: Record<string, string> = {
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.json': 'application/json',
  '.xosc': 'application/xml',
  '.xodr': 'application/xml',
  '.ts': 'text/typescript',
  '.mts': 'text/typescript',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
};

/**
 * The metadata and attachments every recording of a run carries: `roadcast inspect` shows the
 * metadata, `replay` draws the roads of the attached map, and the attached scenario, rig and
 * map re-run it exactly.
 */
export function recordingOptions(inputs: RunInputs): RecorderOptions {
  const { scenario, scenarioFile, rigFile } = inputs;
  const attach = (folder: string, file: string): { name: string; mediaType: string; data: Uint8Array } => ({
    name: `${folder}/${basename(file)}`,
    mediaType: MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    // Read as the loaders read them: regular files, of at most the largest input's size.
    data: readUserFile(file, { what: folder, maxBytes: FILE_LIMITS.map }),
  });
  return {
    metadata: {
      scenario: scenarioFile,
      rig: inputs.rigFromScenario ? (scenario.rigFile ? '(scenario default)' : '(roadcast default)') : rigFile,
      // A scenario without roads (OpenSCENARIO free space) has no map to name or attach.
      map: scenario.mapFile ? basename(scenario.mapFile) : 'none (free space)',
      params: JSON.stringify(scenario.parameterValues),
      seed: String(inputs.seed),
      duration_s: String(inputs.duration),
      // Only when the caller set it, so a run at the scenario's own step keeps its metadata.
      ...(inputs.step !== undefined ? { step_s: String(inputs.step) } : {}),
      dressing: scenario.buildings > 0 || scenario.furniture ? `${scenario.buildings} buildings${scenario.furniture ? ', street furniture' : ''}` : 'none',
      roadcast_version: ROADCAST_VERSION,
      // Only when some weather is set, so a clear run's metadata is what it was.
      ...(scenario.weather ? { weather: JSON.stringify(scenario.weather) } : {}),
    },
    attachments: [attach('scenario', scenarioFile), attach('rig', rigFile), ...(scenario.mapFile ? [attach('map', scenario.mapFile)] : [])],
  };
}

/**
 * The metadata a recording gains when its run ends, after the frames: the weather changes a
 * storyboard made mid-run (the metadata written at the start holds the initial weather only;
 * absent when the weather held), and what the LiDAR and radar raycast on (the backend, and
 * the GPU adapter's name), since a GPU's hits differ from the CPU's in float32 rounding.
 */
export function closingMetadata(summary: { weatherChanges: WeatherChange[]; raycast?: RaycastBackendInfo; criticality?: CriticalitySummary }): Record<string, string> {
  return {
    // ∞ (never) is written as null, as JSON has no infinity.
    ...(summary.criticality ? { criticality: JSON.stringify(summary.criticality, (_k, v) => (v === Infinity ? null : v)) } : {}),
    ...(summary.weatherChanges.length > 0 ? { weather_changes: JSON.stringify(summary.weatherChanges) } : {}),
    ...(summary.raycast ? { raycast_backend: summary.raycast.backend } : {}),
    ...(summary.raycast?.adapter ? { raycast_adapter: `${summary.raycast.adapter}${summary.raycast.software ? ' (software)' : ''}` } : {}),
  };
}

/** An objective given on the command line (a search's) that is none: the flag's error. */
export function refuseObjective(_name: string, message: string): never {
  throw new UserError(message, '--objective');
}
