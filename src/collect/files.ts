import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { inputError } from '../errors.js';
import { formatBytes, LIMITS } from '../limits.js';

export interface ReadInputOptions {
  /** Refuse anything but a regular file (a FIFO, socket or device), as for credential files under --proxy-root. */
  regularOnly?: boolean;
  /** How long a pipe or device may go without data before the read gives up (default LIMITS.pipeReadTimeoutMs). */
  timeoutMs?: number;
}

/** What a non-regular file is, in words. */
export function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Reads a user-named input file with one clear error for every way it can fail, and a size limit checked
 * before reading (so a 50 MB file costs nothing). `what` names the flag, e.g. `--chain`.
 *
 * Never blocks: the file is opened non-blocking, so a FIFO with no writer ends at once with a clear error
 * instead of hanging in open(2); a pipe with a writer (`--chain <(kubectl …)`) is read until its end, waiting at
 * most `timeoutMs` for data to arrive; a device (`/dev/zero`) is cut at the limit.
 */
export function readInputFile(path: string, what: string, limit: number = LIMITS.fileBytes, o: ReadInputOptions = {}): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw inputError(`Cannot read ${what} file "${path}": ${fsReason(e)}`, e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw inputError(`Cannot read ${what} file "${path}": it is a directory; give a file`);
    if (!st.isFile()) {
      if (o.regularOnly) throw inputError(`Cannot read ${what} file "${path}": it is ${fileKind(st)}, not a regular file`);
      return readStream(fd, path, what, limit, o.timeoutMs ?? LIMITS.pipeReadTimeoutMs, st.isFIFO());
    }
    if (st.size > limit) throw inputError(`Cannot read ${what} file "${path}": it is ${formatBytes(st.size)}, over the ${formatBytes(limit)} limit`);
    return readStream(fd, path, what, limit, 0, false);
  } finally {
    closeSync(fd);
  }
}

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
/** How long an empty FIFO is given for a writer to appear before it counts as having none. */
const FIFO_GRACE_MS = 250;
/** Sleeps synchronously (the file readers are synchronous; this waits only for a slow pipe). */
const sleepMs = (ms: number) => void Atomics.wait(SLEEP, 0, 0, ms);

function readStream(fd: number, path: string, what: string, limit: number, timeoutMs: number, fifo: boolean): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  let idleSince = Date.now();
  const opened = idleSince;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        // A pipe whose writer has not written yet: wait, but not forever.
        if (Date.now() - idleSince > timeoutMs) {
          throw inputError(`Cannot read ${what} file "${path}": no data arrived within ${Math.round(timeoutMs / 1000)}s (a pipe whose writer is stuck?)`);
        }
        sleepMs(10);
        continue;
      }
      throw inputError(`Cannot read ${what} file "${path}": ${fsReason(e)}`, e);
    }
    if (n === 0) {
      // A FIFO whose writer is opening it right now reads as end-of-file for a moment: allow it a short grace.
      if (fifo && total === 0 && Date.now() - opened < FIFO_GRACE_MS) {
        sleepMs(10);
        continue;
      }
      break;
    }
    idleSince = Date.now();
    total += n;
    if (total > limit) throw inputError(`Cannot read ${what} file "${path}": it is over the ${formatBytes(limit)} limit`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  if (total === 0 && fifo) {
    throw inputError(`Cannot read ${what} file "${path}": it is a named pipe (FIFO) and nothing is writing to it (nothing arrived within ${FIFO_GRACE_MS} ms); give the file itself`);
  }
  return Buffer.concat(chunks);
}

export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory; give a file';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ENXIO':
      return 'it is a socket or a device that cannot be opened for reading';
    default:
      return (e as Error)?.message?.split('\n')[0] ?? String(e);
  }
}
