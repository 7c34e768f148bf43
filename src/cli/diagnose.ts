import { renameSync, writeFileSync } from 'node:fs';
import { readInputFile, fsReason } from '../collect/files.js';
import { evaluate } from '../engine/evaluate.js';
import { MtlsDoctorError, inputError, usageError } from '../errors.js';
import { parseEvidence, serializeEvidence } from '../evidence/bundle.js';
import { evidenceFromInputs, parseAt, type NamedInput } from '../evidence/from-inputs.js';
import type { EvidenceBundle, Role } from '../evidence/types.js';
import { renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import type { Report } from '../report/types.js';
import { rules } from '../../rules/index.js';
import type { Io } from './main.js';

export interface DiagnoseArgs {
  target?: string;
  chain?: string;
  key?: string;
  trust?: string[];
  peerTrust?: string[];
  ca?: string[];
  role: Role;
  expectId?: string;
  at?: string;
  thresholds?: string;
  symptom?: string;
  evidence?: string;
  saveEvidence?: string;
  output: string;
  failOn: 'error' | 'warning';
}

export const DIAGNOSE_EPILOG = [
  'Exit codes: 0 nothing at or above --fail-on; 1 at least one such finding; 2 bad usage or input; 3 no evidence at all.',
  'Rules run in stage order expiry → chain → san → key-usage; `mtls-doctor rules` lists them.',
].join('\n');

const readCerts = (paths: string[] | undefined, flag: string): NamedInput[] => (paths ?? []).map((p) => ({ name: p, data: readInputFile(p, flag) }));

function loadThresholds(path: string | undefined): unknown {
  if (!path) return undefined;
  const text = readInputFile(path, '--thresholds', 64 * 1024).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw inputError(`Cannot read --thresholds file "${path}": not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Builds the evidence for a diagnose run from its flags: a replayed bundle, or files. */
export async function collectForDiagnose(args: DiagnoseArgs, now: () => number): Promise<EvidenceBundle> {
  if (args.evidence) {
    if (args.chain || args.trust?.length || args.peerTrust?.length || args.ca?.length || args.key) {
      throw usageError('Cannot combine --evidence with --chain/--key/--trust/--peer-trust/--ca: a bundle already holds its evidence');
    }
    const bundle = parseEvidence(readInputFile(args.evidence, '--evidence', 64 * 1024 * 1024).toString('utf8'), `"${args.evidence}"`);
    // --at re-evaluates the same evidence at another time; without it the replay is identical.
    return args.at ? { ...bundle, evaluatedAt: new Date(parseAt(args.at, now())).toISOString() } : bundle;
  }
  if (!args.chain) {
    if (args.trust?.length || args.ca?.length || args.key || args.peerTrust?.length) {
      throw usageError('Cannot diagnose without a certificate chain: give --chain FILE (the workload\'s cert-chain.pem)');
    }
    throw new MtlsDoctorError(
      'E_NO_EVIDENCE',
      'No evidence to diagnose: give --chain FILE (with --trust FILE), or --evidence FILE; try `mtls-doctor demo` for an example',
    );
  }
  return evidenceFromInputs({
    chain: { name: args.chain, data: readInputFile(args.chain, '--chain') },
    key: args.key ? { name: args.key, data: readInputFile(args.key, '--key') } : undefined,
    trust: readCerts(args.trust, '--trust'),
    peerTrust: readCerts(args.peerTrust, '--peer-trust'),
    ca: readCerts(args.ca, '--ca'),
    role: args.role,
    expectId: args.expectId ?? null,
    at: args.at,
    thresholds: loadThresholds(args.thresholds) as never,
    symptom: args.symptom ?? null,
    target: { kind: 'files', ...(args.target ? { name: args.target } : {}), chain: args.chain },
    now,
  });
}

export function exitCodeForReport(report: Report, failOn: 'error' | 'warning'): number {
  const levels = failOn === 'warning' ? ['critical', 'error', 'warning'] : ['critical', 'error'];
  return report.findings.some((f) => levels.includes(f.severity)) ? 1 : 0;
}

/** Writes a file atomically (temp file + rename) so an interrupted run never leaves half a bundle. */
export function writeFileAtomic(path: string, text: string, what: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    throw inputError(`Cannot write ${what} "${path}": ${fsReason(e)}`, e);
  }
}

export async function runDiagnose(args: DiagnoseArgs, io: Io): Promise<number> {
  const evidence = await collectForDiagnose(args, Date.now);
  const report = evaluate(evidence, rules);
  if (args.saveEvidence) writeFileAtomic(args.saveEvidence, serializeEvidence(evidence), 'evidence bundle');
  io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env) }));
  return exitCodeForReport(report, args.failOn);
}
