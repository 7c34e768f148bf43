import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCliOutput } from './ranking-check.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'dist', 'cli.cjs');

/**
 * How to start the CLI: `node dist/cli.cjs` by default; with MTLS_DOCTOR_BIN=PATH, that executable itself
 * (.ci/run points it at the image's payload under Node 24 and at the single executable).
 */
export function cliCommand(args: string[]): [string, string[]] {
  const bin = process.env.MTLS_DOCTOR_BIN;
  return bin ? [bin, args] : [process.execPath, [BIN, ...args]];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI (npm test builds first) with a hard timeout, so a hang fails the test instead of CI. */
export function runCli(args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): CliResult {
  const t0 = Date.now();
  const [cmd, argv] = cliCommand(args);
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...o.env },
    input: o.input,
    cwd: o.cwd,
    timeout: o.timeoutMs ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  // A JSON report the CLI printed is held to the ranking's promises too (test/support/ranking-check.ts).
  checkCliOutput(r.stdout ?? '', `mtls-doctor ${args.join(' ')}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'mtls-doctor-test-'): { dir: string; file: (name: string, data: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True when a CLI error is one clear line: a single "mtls-doctor: …" line and no stack frames. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n');
  return lines.length === 1 && lines[0]!.startsWith('mtls-doctor: ') && !/^\s+at /m.test(stderr);
}
