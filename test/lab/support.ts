/** Shared helpers for the lab: run the real CLI (in process) and read its JSON report. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/report/types.js';
import { hasBinary, IN_CI } from '../support/tls-peers.js';

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { NO_COLOR: '1' } });
  return { code, stdout, stderr };
}

/**
 * Without --chain, `diagnose` also looks for the istio-proxy on this machine (Envoy admin on :15000, the
 * credential files under /). Other test suites may run fake proxies there at the same time; the lab points
 * that search at an empty directory so that a scenario sees only its own peer.
 */
const EMPTY_PROXY_ROOT = mkdtempSync(join(tmpdir(), 'mtls-doctor-lab-noproxy-'));
process.on('exit', () => rmSync(EMPTY_PROXY_ROOT, { recursive: true, force: true }));

/** `diagnose … -o json`, parsed; fails the test with stderr when the CLI did not print a report. */
export async function diagnoseJson(args: string[]): Promise<{ code: number; report: Report & { handshakes?: unknown } }> {
  const isolate = args.includes('--chain') ? [] : ['--proxy-root', EMPTY_PROXY_ROOT];
  const r = await cli(['diagnose', ...args, ...isolate, '-o', 'json']);
  expect(r.stderr, r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

export function rank1(report: Report): string {
  return report.findings[0] ? `${report.findings[0].rule} (${report.findings[0].subject})` : 'none';
}

/**
 * Whether a lab binary can be used. Under CI a missing binary fails loudly (the caller turns this into a
 * failing test); elsewhere the scenarios that need it are skipped with the reason printed.
 */
export function binary(name: string): { ok: boolean; missingInCi: boolean } {
  const ok = hasBinary(name);
  if (!ok && !IN_CI) console.warn(`lab: ${name} is not installed; its scenarios are skipped (apt-get install -y ${name})`);
  return { ok, missingInCi: !ok && IN_CI };
}
