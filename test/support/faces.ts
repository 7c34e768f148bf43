/**
 * Every scenario, both ways: the scenario suite (test/scenarios/*) diagnoses through these helpers, which run
 * the same inputs through the CLI (argv, files by path) and through the library (`diagnose(request)`), and fail
 * the scenario unless both give the identical JSON report (apart from `evaluatedAt`) — or the same error and
 * exit code. The request is built here from the contract (fields = the flags in camelCase, files as
 * `{ path }`), independently of the CLI's own argv → request code.
 */
import { expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnose, type DiagnoseRequest, type Material, type Report } from '../../src/index.js';
import { exitCodeFor } from '../../src/errors.js';
import { renderReport } from '../../src/report/render.js';
import { main } from '../../src/cli/main.js';
import { rewindFakeAdmins, setFakeAgentClock } from './fake-envoy-admin.js';
import { reportVerifyProblems } from './verify-commands.js';

type Kind = 'file' | 'files' | 'string' | 'strings' | 'number';
/** The CLI's diagnose flags and the request field each one sets (DESIGN.md: the fields are the flags in camelCase). */
const FLAGS: Record<string, [keyof DiagnoseRequest, Kind]> = {
  '--chain': ['chain', 'file'],
  '--key': ['key', 'file'],
  '--trust': ['trust', 'files'],
  '--peer-trust': ['peerTrust', 'files'],
  '--ca': ['ca', 'files'],
  '--crl': ['crls', 'files'],
  '--max-depth': ['maxChainDepth', 'string'],
  '--verifier': ['verifier', 'string'],
  '--role': ['role', 'string'],
  '--expect-id': ['expectId', 'string'],
  '--peer-id': ['peerId', 'string'],
  '--at': ['at', 'string'],
  '--thresholds': ['thresholds', 'file'],
  '--symptom': ['symptom', 'string'],
  '--fail-on': ['failOn', 'string'],
  '--evidence': ['evidence', 'file'],
  '--peer': ['peer', 'string'],
  '--sni': ['sni', 'string'],
  '--alpn': ['alpn', 'strings'],
  '--envoy-admin': ['envoyAdmin', 'string'],
  '--agent': ['agent', 'string'],
  '--proxy-root': ['proxyRoot', 'string'],
  '--window': ['window', 'number'],
};

/** `diagnose ARGS` as a request, plus what only the CLI face does (render format, --save-evidence). */
export function requestFromArgv(argv: string[]): { request: DiagnoseRequest; output: string } {
  const [cmd, ...args] = argv;
  if (cmd !== 'diagnose') throw new Error(`faces: only diagnose runs both ways, not ${cmd}`);
  const request: Record<string, unknown> = {};
  let output = 'text';
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (flag === '-o' || flag === '--output') output = args[++i]!;
    else if (flag === '--save-evidence') i++;
    else if (FLAGS[flag] && value !== undefined) {
      const [field, kind] = FLAGS[flag];
      i++;
      if (kind === 'file') request[field] = { path: value };
      else if (kind === 'files') request[field] = [...((request[field] as unknown[]) ?? []), { path: value }];
      else if (kind === 'strings') request[field] = [...((request[field] as string[]) ?? []), value];
      else request[field] = kind === 'number' ? Number(value) : value;
    } else throw new Error(`faces: no request field for ${flag}`);
  }
  return { request: request as DiagnoseRequest, output };
}

const withoutTime = (r: Report) => ({ ...r, evaluatedAt: undefined });

/**
 * Runs `mtls-doctor ARGV` in this process and `diagnose()` on the same request, asserts that they agree, and
 * returns the CLI's result. Fake Envoy admins are rewound before each run, so both see the same answers.
 */
export async function runBothWays(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // Live sources are read at run time (the agent's expiry gauge, the stats samples' times): both runs get the
  // same clock, a step clock from one instant, and so does the fake agent.
  const t0 = Date.now();
  const clock = () => {
    let n = 0;
    return () => t0 + 100 * n++;
  };
  const restore = setFakeAgentClock(() => t0);
  try {
    rewindFakeAdmins();
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { NO_COLOR: '1', ...env }, now: clock() });
    const cli = { code, stdout, stderr };
    rewindFakeAdmins();
    const { request, output } = requestFromArgv(argv);
    let lib: Report;
    try {
      lib = await diagnose(request, { env: { NO_COLOR: '1', ...env }, now: clock() });
    } catch (e) {
      expect(cli.code, `the library failed (${(e as Error).message}) where the CLI did not: ${argv.join(' ')}`).toBe(exitCodeFor(e));
      expect(cli.stderr).toBe(`mtls-doctor: ${(e as Error).message.trim().replace(/\s*\n\s*/g, ' ')}\n`);
      return cli;
    }
    expect(cli.stderr, `the CLI failed where the library did not: ${argv.join(' ')}`).toBe('');
    if (output === 'json') expect(withoutTime(JSON.parse(cli.stdout) as Report)).toEqual(withoutTime(lib));
    else expect(cli.stdout).toBe(renderReport(lib, output, { color: false }));
    // Every verify command of the scenario suite parses under sh and names the user's files (issue 8).
    expect(reportVerifyProblems(lib, argv), `verify commands of: ${argv.join(' ')}`).toEqual([]);
    return cli;
  } finally {
    setFakeAgentClock(restore);
  }
}

let seq = 0;

/**
 * `diagnose(request)` for a library-style request (certificate contents), run both ways: the contents are
 * written to files, the CLI and the library diagnose those files and must agree exactly; the library on the
 * contents themselves must reach the same findings and verdict (only the source names differ). Returns the
 * report for the contents.
 */
export async function diagnoseBothWays(request: DiagnoseRequest): Promise<Report> {
  const fromContents = await diagnose(request);
  const dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-faces-'));
  try {
    const argv = ['diagnose'];
    const write = (flag: string, m: Material) => {
      if (typeof m === 'object' && !(m instanceof Uint8Array) && 'path' in m) return void argv.push(flag, m.path);
      const path = join(dir, `${flag.slice(2)}-${seq++}.pem`);
      writeFileSync(path, typeof m === 'string' || m instanceof Uint8Array ? m : m.data);
      argv.push(flag, path);
    };
    const flags: Array<[keyof DiagnoseRequest, string]> = [['chain', '--chain'], ['key', '--key'], ['trust', '--trust'], ['peerTrust', '--peer-trust'], ['ca', '--ca'], ['crls', '--crl']];
    for (const [field, flag] of flags) {
      const v = request[field] as Material | Material[] | undefined;
      if (v === undefined) continue;
      if (field === 'chain' && Array.isArray(v)) {
        // The CLI takes one chain file: write the parts one after the other (PEM or DER, as the library joins them).
        write(flag, await chainAsPem(v));
      } else for (const m of Array.isArray(v) ? v : [v]) write(flag, m);
    }
    const at = request.at;
    if (at !== undefined) argv.push('--at', new Date(at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at)).toISOString());
    if (request.role) argv.push('--role', request.role);
    for (const id of request.expectId === undefined ? [] : Array.isArray(request.expectId) ? request.expectId : [request.expectId]) argv.push('--expect-id', id);
    if (request.peerId) argv.push('--peer-id', request.peerId);
    if (request.symptom) argv.push('--symptom', request.symptom);
    if (request.maxChainDepth !== undefined) argv.push('--max-depth', String(request.maxChainDepth));
    if (request.verifier) argv.push('--verifier', request.verifier);
    if (request.thresholds) {
      const path = join(dir, `thresholds-${seq++}.json`);
      writeFileSync(path, JSON.stringify(request.thresholds));
      argv.push('--thresholds', path);
    }
    const cli = await runBothWays([...argv, '-o', 'json']);
    if (cli.code !== 0 && cli.code !== 1) throw new Error(`faces: the CLI exited ${cli.code}: ${cli.stderr}`);
    const fromFiles = JSON.parse(cli.stdout) as Report;
    const gist = (r: Report) => ({ verdict: r.verdict, findings: r.findings.map((f) => [f.rank, f.rule, f.severity, f.causedBy]), notEvaluated: r.notEvaluated.map((n) => [n.rule, n.reason]) });
    expect(gist(fromFiles)).toEqual(gist(fromContents));
    return fromContents;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A chain given as several parts, as one PEM text (what the library joins them into). */
async function chainAsPem(parts: Material[]): Promise<string> {
  const { decodeCertificates, toPem } = await import('../../src/x509/pem.js');
  return parts.flatMap((p, i) => decodeCertificates(typeof p === 'string' || p instanceof Uint8Array ? p : 'data' in p ? p.data : '', `chain[${i}]`).map((b) => toPem(b.der))).join('');
}
