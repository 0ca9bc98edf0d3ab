import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { fileSystemError, makeFolder } from '../core/fileErrors.js';
import { inspectRecording, readFrames } from './McapSource.js';
import { encodePcd } from './PcdWriter.js';

export interface PointCloudExportOptions {
  file: string;
  outDir: string;
  /** Topics to export; every LiDAR topic when absent. */
  topics?: string[];
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes every LiDAR frame of a recording as PCD: `outDir/<topic>/NNNNNN.pcd` (the topic's
 * slashes become underscores), numbered per topic from 0. Everything is written into a
 * temporary folder beside `outDir` and moved into place at the end, so a failed export
 * leaves nothing behind. Returns the number of files per topic.
 */
export async function exportPointClouds(options: PointCloudExportOptions): Promise<Record<string, number>> {
  const summary = await inspectRecording(options.file);
  const lidarTopics = summary.topics.filter((t) => t.kind === 'lidar').map((t) => t.topic);
  const topics = options.topics ?? lidarTopics;
  if (topics.length === 0) throw new UserError('the recording has no LiDAR topic, so there is nothing to write as PCD (record with a rig that has a LiDAR)', options.file);
  for (const topic of topics) {
    if (!lidarTopics.includes(topic)) {
      throw new UserError(`the recording has no LiDAR topic "${topic}" (LiDAR topics: ${lidarTopics.join(', ') || 'none'})`, options.file);
    }
  }
  if (await stat(options.outDir).then(() => true, () => false)) {
    throw new UserError('already exists; export into a new folder', options.outDir);
  }
  const total = summary.topics.filter((t) => topics.includes(t.topic)).reduce((n, t) => n + t.count, 0);
  const staging = join(dirname(options.outDir), `.${basename(options.outDir)}.${process.pid}.tmp`);
  const counts: Record<string, number> = Object.fromEntries(topics.map((t) => [t, 0]));
  try {
    await makeFolder(staging);
    for (const topic of topics) await mkdir(join(staging, topic.replace(/\//g, '_')), { recursive: true });
    let done = 0;
    for await (const frame of readFrames(options.file)) {
      if (!topics.includes(frame.topic)) continue;
      const name = String(counts[frame.topic]++).padStart(6, '0');
      await writeFile(join(staging, frame.topic.replace(/\//g, '_'), `${name}.pcd`), encodePcd(frame));
      options.onProgress?.(++done, total);
    }
    await rename(staging, options.outDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw fileSystemError('cannot write the export', options.outDir, error);
  }
  return counts;
}
