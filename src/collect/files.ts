import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inputError } from '../errors.js';
import { formatBytes, MAX_INPUT_BYTES } from '../x509/pem.js';

/**
 * Reads a user-named input file with one clear error for every way it can fail, and a size limit checked
 * before reading (so a 50 MB file costs nothing). `what` names the flag, e.g. `--chain`.
 */
export function readInputFile(path: string, what: string, limit = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw inputError(`Cannot read ${what} file "${path}": ${fsReason(e)}`, e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw inputError(`Cannot read ${what} file "${path}": it is a directory; give a file`);
    if (!st.isFile() && st.size === 0) {
      // A pipe or device: read up to the limit.
      return readBounded(fd, path, what, limit);
    }
    if (st.size > limit) throw inputError(`Cannot read ${what} file "${path}": it is ${formatBytes(st.size)}, over the ${formatBytes(limit)} limit`);
    return readBounded(fd, path, what, limit);
  } finally {
    closeSync(fd);
  }
}

function readBounded(fd: number, path: string, what: string, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      throw inputError(`Cannot read ${what} file "${path}": ${fsReason(e)}`, e);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw inputError(`Cannot read ${what} file "${path}": it is over the ${formatBytes(limit)} limit`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
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
    default:
      return (e as Error)?.message?.split('\n')[0] ?? String(e);
  }
}
