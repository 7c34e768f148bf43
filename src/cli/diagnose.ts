import { readInputFile } from '../collect/files.js';
import { evaluate } from '../engine/evaluate.js';
import { MtlsDoctorError, inputError, usageError } from '../errors.js';
import { guardReplay, parseEvidence } from '../evidence/bundle.js';
import { saveEvidence } from '../evidence/save.js';
import { LIMITS } from '../limits.js';
import { evidenceFromInputs, parseAt, validateMaxDepth, type NamedInput } from '../evidence/from-inputs.js';
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
  crl?: string[];
  maxDepth?: string;
  role: Role;
  expectId?: string;
  at?: string;
  thresholds?: string;
  symptom?: string;
  evidence?: string;
  saveEvidence?: string;
  envoyAdmin?: string;
  agent?: string;
  proxyRoot?: string;
  window?: number;
  peer?: string;
  peerId?: string;
  sni?: string;
  alpn?: string[];
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
  const text = readInputFile(path, '--thresholds', LIMITS.thresholdsBytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw inputError(`Cannot read --thresholds file "${path}": not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Every flag combination that cannot work, refused before anything is read or collected (exit 2). Kept in one
 * place so that collection below only collects.
 */
function checkFlagCombinations(args: DiagnoseArgs, env: Record<string, string | undefined>): void {
  const proxyAsked = !!(args.envoyAdmin || args.agent || args.proxyRoot);
  if (args.evidence) {
    if (proxyAsked || args.window !== undefined) {
      throw usageError('Cannot combine --evidence with --envoy-admin/--agent/--proxy-root/--window: a bundle already holds its evidence');
    }
    if (args.peer !== undefined || args.sni !== undefined || args.alpn !== undefined) {
      throw usageError('Cannot combine --evidence with --peer/--sni/--alpn: a bundle already holds its handshakes');
    }
    if (args.chain || args.trust?.length || args.peerTrust?.length || args.ca?.length || args.key) {
      throw usageError('Cannot combine --evidence with --chain/--key/--trust/--peer-trust/--ca: a bundle already holds its evidence');
    }
    if (args.crl?.length) throw usageError('Cannot combine --evidence with --crl: a bundle already holds its CRLs');
    return;
  }
  if (args.peer === undefined && (args.sni !== undefined || args.alpn !== undefined)) {
    throw usageError('Cannot use --sni or --alpn without --peer HOST:PORT: they shape the test handshake with the peer');
  }
  if (args.chain && !proxyAsked && args.window !== undefined) {
    throw usageError('Cannot use --window with --chain alone: it samples Envoy stats; add --envoy-admin URL (or drop --chain to find everything inside the pod)');
  }
  const searching = !args.chain && !proxyAsked && args.peer === undefined;
  // Certificate files without --chain mean file mode: that is a missing --chain, not a request to search.
  if (searching && (args.trust?.length || args.ca?.length || args.key || args.peerTrust?.length)) {
    throw usageError("Cannot diagnose without a certificate chain: give --chain FILE (the workload's cert-chain.pem), or --envoy-admin URL to read it from Envoy");
  }
  if (searching && env.MTLS_DOCTOR_NO_AUTODETECT === '1') {
    throw new MtlsDoctorError('E_NO_EVIDENCE', 'No evidence to diagnose: give --chain FILE (with --trust FILE), --envoy-admin URL or --evidence FILE (auto-detection is off: MTLS_DOCTOR_NO_AUTODETECT=1)');
  }
}

/** A saved bundle, re-evaluated at --at or under --max-depth when given; otherwise replayed as it was. */
function replay(args: DiagnoseArgs, now: () => number): EvidenceBundle {
  const bundle = parseEvidence(readInputFile(args.evidence!, '--evidence', LIMITS.bundleBytes).toString('utf8'), `"${args.evidence}"`);
  const at = args.at ? { ...bundle, evaluatedAt: new Date(parseAt(args.at, now())).toISOString() } : bundle;
  return args.maxDepth !== undefined ? { ...at, options: { ...at.options, maxChainDepth: validateMaxDepth(args.maxDepth) } } : at;
}

/**
 * Builds the evidence for a diagnose run from its flags: a replayed bundle, files, and the istio-proxy (its
 * Envoy admin, pilot-agent and mounted files: auto-detected when no --chain is given, or named by flags),
 * then the test handshakes with --peer.
 */
export async function collectForDiagnose(args: DiagnoseArgs, now: () => number, env: Record<string, string | undefined> = process.env): Promise<EvidenceBundle> {
  checkFlagCombinations(args, env);
  if (args.evidence) return replay(args, now);
  // --peer: parsed first, so a bad value is exit 2 before anything is collected.
  const probe = args.peer !== undefined ? await import('../probe/probe.js') : null;
  const peer = probe ? probe.parsePeer(args.peer!) : null;
  const alpn = probe ? probe.parseAlpn(args.alpn) : null;
  const keyData = args.key ? readInputFile(args.key, '--key') : undefined;
  // No --chain: find the evidence in the istio-proxy (admin, agent, files, /proc), or only where the flags say.
  const proxyAsked = !!(args.envoyAdmin || args.agent || args.proxyRoot);
  const px = !args.chain || proxyAsked ? await import('../collect/proxy.js') : null;
  const proxy = px
    ? await px.collectProxy({ envoyAdmin: args.envoyAdmin, agent: args.agent, proxyRoot: args.proxyRoot, auto: !proxyAsked, windowSeconds: args.window, env, now })
    : null;
  if (!args.chain && !proxy?.collected && !peer) throw new MtlsDoctorError('E_NO_EVIDENCE', px!.noEvidenceMessage(proxy!));
  const fromProxy = px && proxy ? px.proxyCertInputs(proxy) : { trust: [] };
  const evidence = evidenceFromInputs({
    chain: args.chain ? { name: args.chain, data: readInputFile(args.chain, '--chain') } : fromProxy.chain,
    key: args.key ? { name: args.key, data: keyData! } : undefined,
    trust: args.trust?.length ? readCerts(args.trust, '--trust') : fromProxy.trust,
    peerTrust: readCerts(args.peerTrust, '--peer-trust'),
    ca: readCerts(args.ca, '--ca'),
    crls: args.crl?.length ? readCerts(args.crl, '--crl') : proxyCrls(proxy?.proxy),
    maxChainDepth: args.maxDepth,
    role: args.role,
    expectId: args.expectId ?? proxy?.expectId ?? null,
    peerId: args.peerId ?? null,
    at: args.at,
    thresholds: loadThresholds(args.thresholds) as never,
    symptom: args.symptom ?? null,
    target: args.chain ? { kind: 'files', ...(args.target ? { name: args.target } : {}), chain: args.chain } : { kind: 'pod', ...(args.target ? { name: args.target } : {}) },
    now,
  });
  const collected = px && proxy ? px.withProxyEvidence(evidence, proxy) : evidence;
  if (!peer) return collected;
  const { probeIntoEvidence } = await import('../probe/collect.js');
  return probeIntoEvidence(collected, { peer, sni: args.sni ?? null, alpn, key: keyData });
}

/** The CRL the istio-proxy mounts (Istio's ca-crl.pem at /var/run/secrets/istio/crl/), when it was read. */
function proxyCrls(proxy: { files?: Array<{ path: string; kind: string; pems: string[] }> } | undefined): NamedInput[] {
  return (proxy?.files ?? []).filter((f) => f.kind === 'crl' && f.pems.length > 0).map((f) => ({ name: f.path, data: f.pems.join('') }));
}

export function exitCodeForReport(report: Report, failOn: 'error' | 'warning'): number {
  const levels = failOn === 'warning' ? ['critical', 'error', 'warning'] : ['critical', 'error'];
  return report.findings.some((f) => levels.includes(f.severity)) ? 1 : 0;
}


export async function runDiagnose(args: DiagnoseArgs, io: Io): Promise<number> {
  const evidence = await collectForDiagnose(args, Date.now, io.env);
  const report = args.evidence ? guardReplay(`"${args.evidence}"`, () => evaluate(evidence, rules)) : evaluate(evidence, rules);
  if (args.saveEvidence) saveEvidence(args.saveEvidence, evidence);
  io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env) }));
  return exitCodeForReport(report, args.failOn);
}
