import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';

/**
 * Why the file system refused, in words a user can act on, by error code. These are the
 * user's to fix (free space, permissions, a read-only disk, a folder that went away);
 * anything without a code, or with another, is a bug and keeps its stack.
 */
const REASONS: Record<string, string> = {
  ENOSPC: 'disk full (no space left on the device)',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large for the file system',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the folder does not exist (any more)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  EIO: 'input/output error on the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the file name is too long',
  ELOOP: 'too many symbolic links in the path',
  EBUSY: 'the file or device is busy',
};

/** Whether an error is the file system refusing (one of REASONS), not a bug. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(REASONS, code);
}

/**
 * A file-system failure as a one-line UserError: `path: <what>: <reason> (<code>)`. Other
 * errors (and UserErrors) are returned as they are.
 */
export function fileSystemError(what: string, path: string, error: unknown): unknown {
  if (error instanceof UserError || !isFileSystemError(error)) return error;
  return new UserError(`${what}: ${REASONS[error.code!]} (${error.code})`, path);
}

/**
 * `mkdir -p` whose failure names the real cause. Node's recursive mkdir answers ENOENT when
 * a missing parent cannot be made (on a read-only file system, say, where the cause is
 * EROFS): then the first missing folder is made on its own, which fails for the real reason.
 */
export function makeFolderSync(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw realCause(path, error);
  }
}

export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw realCause(path, error);
  }
}

function realCause(path: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return error;
  let first = resolve(path);
  for (let up = dirname(first); up !== first && !existsSync(up); up = dirname(up)) first = up;
  try {
    mkdirSync(first);
    mkdirSync(path, { recursive: true });
  } catch (cause) {
    return cause;
  }
  return error;
}

/**
 * Writes a file through a temporary one beside it, renamed into place: readers see the old
 * file or the new one, never half of one (a stopped process or a full disk leaves the old).
 * `what` says what could not be written.
 */
export function writeFileWhole(file: string, text: string, what: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw fileSystemError(what, file, error);
  }
}
