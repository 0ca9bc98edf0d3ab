/**
 * The one way roadcast reads a file a user names (a scenario, rig, map, catalog): whole, but
 * only if it is a regular file no larger than a stated limit. `readFileSync` on a device
 * (`/dev/zero`), a FIFO or an endless pipe would block or fill memory; a huge file would be
 * parsed into a tree many times its size. Each refusal is a one-line UserError naming the file.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UserError } from './errors.js';

const MiB = 1024 * 1024;
/** Read in pieces of this size, so a file that grows after the stat is still cut at the limit. */
const CHUNK = 4 * MiB;

/**
 * Largest file of each kind, in bytes. Parsed trees take 20 to 50 times the file's size in
 * memory, so these keep a parse within a few hundred MB; the largest real files of each kind
 * (the esmini and ASAM corpora, CARLA's towns) are a small fraction of them.
 */
export const FILE_LIMITS = {
  /** YAML or JSON scenarios and sensor rigs: hand-written, a few kB. */
  config: 4 * MiB,
  /** OpenDRIVE maps: a town of a few hundred roads is 1-5 MB. */
  map: 32 * MiB,
  /** OpenSCENARIO files and each of their catalogs. */
  openScenario: 16 * MiB,
  /** A sweep's index.json (one entry per run). */
  index: 64 * MiB,
} as const;

export interface UserFileOptions {
  /** What the file is, for messages: "scenario", "sensor rig", "map". */
  what: string;
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** The message for a file that does not exist (default: "no such <what> file"). */
  notFound?: string;
}

/** A user's file as bytes; see `readUserText` for text. */
export function readUserFile(file: string, options: UserFileOptions): Buffer {
  const { what, maxBytes } = options;
  // Stat before opening: opening a FIFO for reading blocks until a writer appears.
  let info: Stats;
  try {
    info = statSync(file);
  } catch (error) {
    throw openError(file, options, error);
  }
  checkKind(file, what, info, maxBytes);
  let fd: number;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open still returns.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw openError(file, options, error);
  }
  try {
    // The open file is what is read: check it again, and never read past the limit even
    // if the file grows while it is read.
    checkKind(file, what, fstatSync(fd), maxBytes);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) throw tooLarge(file, what, undefined, maxBytes);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw openError(file, options, error);
  } finally {
    closeSync(fd);
  }
}

/** A user's file as UTF-8 text (a byte-order mark is kept, as readFileSync keeps it). */
export function readUserText(file: string, options: UserFileOptions): string {
  return readUserFile(file, options).toString('utf8');
}

function checkKind(file: string, what: string, info: Stats, maxBytes: number): void {
  if (info.isDirectory()) throw new UserError(`is a folder, not a ${what} file`, file);
  if (!info.isFile()) throw new UserError(`is not a regular file (a device, pipe or socket); give a ${what} file`, file);
  if (info.size > maxBytes) throw tooLarge(file, what, info.size, maxBytes);
}

/** `size` is undefined when the file grew past the limit while it was read. */
function tooLarge(file: string, what: string, size: number | undefined, maxBytes: number): UserError {
  const said = size === undefined ? 'grew past the limit while it was read' : `is ${formatBytes(size)} (${size.toLocaleString('en-US')} bytes)`;
  return new UserError(`${said}; a ${what} file may be at most ${formatBytes(maxBytes)}`, file);
}

function openError(file: string, { what, notFound }: UserFileOptions, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(notFound ?? `no such ${what} file`, file);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`cannot read the ${what} file: permission denied`, file);
  if (code === 'ENOTDIR') return new UserError(`no such ${what} file (a part of the path is a file, not a folder)`, file);
  if (code === 'EISDIR') return new UserError(`is a folder, not a ${what} file`, file);
  return new UserError(`cannot read the ${what} file: ${(error as Error).message}`, file);
}

export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
