/**
 * DIR/queue.json: which queue a sweep's jobs are on and which sweep they are, written by the
 * coordinator before it enqueues. `roadcast sweep status DIR` finds the queue from it, and a
 * worker reads it to check that its --out folder is the sweep's (a worker writing elsewhere
 * would finish runs that the coordinator never sees).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { writeFileWhole } from '../../core/fileErrors.js';

export interface QueueManifest {
  /** The sweep's fingerprint (its scenario, variants, inputs' hashes and roadcast version), as every job carries it. */
  sweep: string;
  scenario: string;
  /** The queue URL without its password. */
  queue: string;
  /** The BullMQ queue's name. */
  name: string;
  /** Variants in all. */
  total: number;
}

export function manifestFile(out: string): string {
  return join(out, 'queue.json');
}

export function writeManifest(out: string, manifest: QueueManifest): void {
  writeFileWhole(manifestFile(out), `${JSON.stringify(manifest, null, 1)}\n`, 'cannot write the queue manifest');
}

/** The manifest of a queued sweep's folder, or undefined when it has none. */
export function readManifest(out: string): QueueManifest | undefined {
  const file = manifestFile(out);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<QueueManifest>;
    if (typeof data.sweep !== 'string' || typeof data.queue !== 'string' || typeof data.name !== 'string' || typeof data.total !== 'number') throw new Error('fields missing');
    return data as QueueManifest;
  } catch (error) {
    throw new UserError(`is not a queued sweep's manifest (${(error as Error).message}); run the sweep with --queue again to write it`, file);
  }
}
