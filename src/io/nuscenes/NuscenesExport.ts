/**
 * `roadcast export --format nuscenes`: a recording, or a folder of them (a sweep's runs), as a
 * nuScenes dataset the devkit loads as it is: one scene and one log per recording, the
 * thirteen tables under `<version>/`, the sensor files under `samples/` (key frames, 2 Hz) and
 * `sweeps/` (every other frame), a drivable-area mask per map under `maps/`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { fileSystemError, makeFolder } from '../../core/fileErrors.js';
import { FILE_LIMITS, formatBytes } from '../../core/UserFile.js';
import { parseOpenDrive } from '../../map/OpenDriveReader.js';
import { roadScene } from '../foxglove/staticScene.js';
import { inspectRecording, readAttachment, type RecordingSummary } from '../McapSource.js';
import { drivableAreaMask } from './DrivableAreaMask.js';
import { nuscenesChannels, type Channel } from './NuscenesChannels.js';
import { exportScene, type SceneRecords } from './NuscenesScene.js';
import {
  ATTRIBUTE_TABLE, CATEGORY_TABLE, nuscenesToken, tableJson, VISIBILITY,
  type MapRecord, type NuscenesTable, type SensorRecord,
} from './NuscenesTables.js';

export interface NuscenesExportOptions {
  /** A recording (one scene), or a folder whose `*.mcap` recordings (a sweep's runs) become one scene each. */
  input: string;
  /** A new folder: the dataset root (the devkit's `dataroot`). */
  outDir: string;
  /** The LiDAR whose sweeps are the samples and whose ground truth the annotations (default: the first on the ego). */
  lidarTopic?: string;
  /**
   * The tables' folder, the devkit's `version` (default `v1.0-trainval`: the name the nuScenes
   * converters of mmdetection3d and others accept).
   */
  version?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface NuscenesExportSummary {
  version: string;
  scenes: string[];
  samples: number;
  sampleData: number;
  annotations: number;
}

/** The custom split (`<version>/splits.json`, read by the devkit's evaluation) holding every scene. */
export const NUSCENES_SPLIT = 'roadcast';

interface Input {
  file: string;
  name: string;
  summary: RecordingSummary;
  channels: Channel[];
}

/**
 * Writes the dataset into a temporary folder beside `outDir` and moves it into place when
 * complete; a failure removes it. Every recording is checked (a LiDAR on the ego, its rig,
 * undistorted cameras) before anything is written.
 */
export async function exportNuscenes(options: NuscenesExportOptions): Promise<NuscenesExportSummary> {
  const version = options.version ?? 'v1.0-trainval';
  if (!/^[A-Za-z0-9._-]+$/.test(version)) throw new UserError(`a version is a folder name of letters, digits, ".", "_" and "-", got "${version}"`, 'version');
  if (await stat(options.outDir).then(() => true, () => false)) throw new UserError('already exists; export into a new folder', options.outDir);
  const inputs: Input[] = [];
  const names = new Set<string>();
  for (const file of await recordingsOf(options.input)) {
    const summary = await inspectRecording(file);
    let name = basename(file).replace(/\.mcap$/i, '').replace(/[^A-Za-z0-9._-]/g, '_');
    for (let k = 2; names.has(name); k++) name = `${name}_${k}`;
    names.add(name);
    inputs.push({ file, name, summary, channels: await nuscenesChannels(file, summary, options.lidarTopic) });
  }
  const total = inputs.reduce((sum, input) => sum + input.summary.topics.filter((t) => input.channels.some((c) => c.topic === t.topic)).reduce((n, t) => n + t.count, 0), 0);

  const staging = join(dirname(options.outDir), `.${basename(options.outDir)}.${process.pid}.tmp`);
  let done = 0;
  try {
    await makeFolder(join(staging, version));
    await mkdir(join(staging, 'maps'));
    const maps = new Map<string, MapRecord>();
    const scenes: SceneRecords[] = [];
    for (const input of inputs) {
      const map = await mapOf(input.file, staging, maps);
      const { metadata } = input.summary;
      const records = await exportScene({
        file: input.file, name: input.name, channels: input.channels, origin: map.world_origin, root: staging,
        location: (metadata.map ?? 'none').replace(/\.xodr$/i, ''),
        description: `${basename(metadata.scenario ?? input.file)}, seed ${metadata.seed ?? '?'}, parameters ${metadata.params ?? '{}'}`,
        onFrame: () => options.onProgress?.(++done, total),
      });
      map.log_tokens.push(records.log.token);
      scenes.push(records);
    }
    const sensors = new Map<string, SensorRecord>();
    for (const s of scenes) for (const sensor of s.sensor) sensors.set(sensor.token, sensor);
    const tables: Record<NuscenesTable, readonly object[]> = {
      category: CATEGORY_TABLE, attribute: ATTRIBUTE_TABLE, visibility: VISIBILITY,
      instance: scenes.flatMap((s) => s.instance),
      sensor: [...sensors.values()],
      calibrated_sensor: scenes.flatMap((s) => s.calibrated_sensor),
      ego_pose: scenes.flatMap((s) => s.ego_pose),
      log: scenes.map((s) => s.log),
      scene: scenes.map((s) => s.scene),
      sample: scenes.flatMap((s) => s.sample),
      sample_data: scenes.flatMap((s) => s.sample_data),
      sample_annotation: scenes.flatMap((s) => s.sample_annotation),
      map: [...maps.values()],
    };
    for (const [table, records] of Object.entries(tables)) await writeFile(join(staging, version, `${table}.json`), tableJson(records));
    await writeFile(join(staging, version, 'splits.json'), `${JSON.stringify({ [NUSCENES_SPLIT]: scenes.map((s) => s.scene.name) }, null, 1)}\n`);
    await rename(staging, options.outDir);
    return {
      version,
      scenes: scenes.map((s) => s.scene.name),
      samples: tables.sample.length,
      sampleData: tables.sample_data.length,
      annotations: tables.sample_annotation.length,
    };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw fileSystemError('cannot write the export', options.outDir, error);
  }
}

/** The recordings an input names: the file itself, or a folder's `*.mcap` files by name. */
async function recordingsOf(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new UserError('no such recording or folder', input);
  if (!info.isDirectory()) return [input];
  // Hidden names are a run still being written (.NAME.PID.tmp).
  const files = (await readdir(input)).filter((f) => f.toLowerCase().endsWith('.mcap') && !f.startsWith('.')).sort();
  if (files.length === 0) throw new UserError('holds no recordings (*.mcap); give a recording or a sweep\'s folder', input);
  return files.map((f) => join(input, f));
}

/**
 * The map record of a recording's map (its `map/` attachment), made once per map: the
 * drivable area of its road mesh as `maps/<token>.png`. A recording without roads gets an
 * empty mask of its own kind, shared by all such.
 */
async function mapOf(file: string, root: string, maps: Map<string, MapRecord>): Promise<MapRecord> {
  const attachment = await readAttachment(file, (name) => name.startsWith('map/') && name.endsWith('.xodr'));
  const hash = attachment ? createHash('sha256').update(attachment.data).digest('hex') : 'none';
  const known = maps.get(hash);
  if (known) return known;
  let scene;
  if (attachment) {
    const where = `${file} (attachment ${attachment.name})`;
    if (attachment.data.byteLength > FILE_LIMITS.map) throw new UserError(`the map is ${formatBytes(attachment.data.byteLength)}; a map may be at most ${formatBytes(FILE_LIMITS.map)}`, where);
    scene = roadScene(parseOpenDrive(new TextDecoder().decode(attachment.data), where));
  }
  const mask = drivableAreaMask(scene, file);
  const token = nuscenesToken('map', hash);
  const record: MapRecord = { token, log_tokens: [], category: 'semantic_prior', filename: `maps/${token}.png`, world_origin: mask.origin };
  await writeFile(join(root, record.filename), mask.png);
  maps.set(hash, record);
  return record;
}
