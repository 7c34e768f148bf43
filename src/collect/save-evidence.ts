/**
 * The `--save-evidence` writer: the bundle (redacted, see bundle.ts) is written to a temporary file beside the
 * target and renamed over it, so an interrupted run never leaves half a bundle. Only a regular file (or nothing)
 * is ever replaced: a symbolic link, FIFO, socket or device at the target is refused with one clear line — the
 * rename would silently turn a link into a file, give a FIFO's reader nothing, and (as root) replace
 * `/dev/stdout` itself.
 */
import { lstatSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { inputError } from '../errors.js';
import { fileKind, fsReason } from './files.js';
import { serializeEvidence } from '../evidence/bundle.js';
import type { EvidenceBundle } from '../evidence/types.js';

/** Writes `text` to `path` atomically, refusing a target that exists and is not a regular file. */
export function writeRegularFile(path: string, text: string, what: string): void {
  let existing: Stats | undefined;
  try {
    existing = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw inputError(`Cannot write ${what} "${path}": ${fsReason(e)}`, e);
  }
  if (existing && !existing.isFile()) {
    throw inputError(`Cannot write ${what} "${path}": it is ${fileKind(existing)}, not a regular file; give the path of a regular file (it is never written through a link or into a device)`);
  }
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    // O_EXCL: never follow a link planted at the temporary name.
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `the directory "${dirname(path)}" does not exist` : fsReason(e);
    throw inputError(`Cannot write ${what} "${path}": ${reason}`, e);
  }
}

/** `--save-evidence FILE`: the redacted bundle, written safely. */
export function saveEvidence(path: string, bundle: EvidenceBundle): void {
  writeRegularFile(path, serializeEvidence(bundle), 'evidence bundle');
}
