/**
 * What every command shares: argument parsers, option groups and atomic file writes. Light on
 * purpose: `roadcast --help` loads this, not the simulator.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../core/errors.js';
import { fileSystemError, makeFolderSync } from '../core/fileErrors.js';
import { DEFAULT_FOXGLOVE_PORT } from '../io/defaults.js';
import type { RaycastBackendName } from '../raycast/gpu/RaycastBackend.js';

/** What `--fail-on` can make a run or sweep exit non-zero for. */
export const FAIL_ON = ['failure', 'collision', 'timeout'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** The exit status of a run (or sweep) that ended as `--fail-on` says it must not. */
export const FAILED_RUN_EXIT = 2;

/** Commander argument parsers that reject bad values with one clear line. */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return n;
}

export function positiveInteger(value: string): number {
  const n = nonNegativeInteger(value);
  if (n === 0) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return n;
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds > 0, got "${value}"`);
  return n;
}

/** `--step`: the fixed simulation step, as a scenario's `step:` allows it (0 < s ≤ 1). */
export function stepSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`expected a step in seconds, > 0 and <= 1, got "${value}"`);
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

export function metres(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a length in metres > 0, got "${value}"`);
  return n;
}

/**
 * Writes a whole file under a temporary name and renames it, so a failed write leaves nothing;
 * a full disk or a read-only or missing folder is a one-line error.
 */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  // Renaming onto a device would replace it (as root, /dev/null); a folder is refused too.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) throw new UserError(`is ${existing.isDirectory() ? 'a folder' : 'not a regular file (a device, pipe or socket)'}; give a file name`, path);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    makeFolderSync(dirname(path));
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw fileSystemError('cannot write the file', path, error);
  }
}

/** The serving flags `run --serve` and `replay` share. */
export interface ServeFlags {
  host: string;
  port: number;
  token?: string;
  allowOrigin?: string[];
}

export interface FoxgloveFlags extends Omit<ServeFlags, 'port'> {
  foxglove?: boolean;
  foxglovePort: number;
}

/** The flags of `run` and `replay` that say who may connect, and the --foxglove flags. */
export function addServeOptions(command: Command): Command {
  return command
    .option('--token <secret>', 'require clients to give this token (?token=... or Authorization: Bearer ...), on every port the command opens')
    .option('--allow-origin <origin...>', 'web pages (https://host[:port], or *) allowed to connect besides the viewer itself; others are refused')
    .option('--foxglove', 'also speak the Foxglove WebSocket protocol (open it in Foxglove with no plugin)')
    .addOption(new Option('--foxglove-port <port>', 'port of the Foxglove WebSocket (0: any free port)').default(DEFAULT_FOXGLOVE_PORT).argParser(port));
}

/**
 * What `run` and `sweep` raycast the LiDAR and radar on (raycast/gpu/RaycastBackend.ts): listed
 * here, checked against its type, so that `--help` does not load the GPU code.
 */
export const BACKENDS = ['cpu', 'gpu', 'auto'] as const satisfies readonly RaycastBackendName[];

/** --backend and --gpu-adapter, for `run` and `sweep`. */
export function addBackendOptions(command: Command): Command {
  return command
    .addOption(new Option('--backend <name>', 'what the LiDAR and radar raycast on: cpu, gpu (WebGPU; an error if there is no adapter), auto (the GPU when a hardware adapter exists, else the CPU); on the GPU, cameras rasterise there too and shade on the CPU').choices(BACKENDS).default('cpu'))
    .option('--gpu-adapter <text>', 'with the GPU: the adapter whose name contains this (when several are visible)');
}
