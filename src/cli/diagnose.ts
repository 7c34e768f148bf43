/**
 * `mtls-doctor diagnose`: argv → request → diagnose() → render → exit code. Every check and every decision
 * about what to collect lives in src/diagnose/, shared with the library and every other face.
 */
import { diagnose, diagnoseWithEvidence, exitCode, saveEvidence, type DiagnoseRequest, type FailOn } from '../diagnose/index.js';
import { usageError } from '../errors.js';
import { renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import type { Io } from './main.js';

/** The flags as yargs parses them. */
export interface DiagnoseArgs {
  target?: string;
  /** Cluster mode (TARGET pod/NAME, deploy/NAME, NAME, or -l): kubectl's flags. */
  selector?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  readCaSecrets?: boolean;
  inPod?: boolean;
  image?: string;
  chain?: string;
  key?: string;
  trust?: string[];
  peerTrust?: string[];
  ca?: string[];
  crl?: string[];
  maxDepth?: string;
  role?: 'client' | 'server' | 'both';
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
  failOn: FailOn;
}

export const DIAGNOSE_EPILOG = [
  'Exit codes: 0 nothing at or above --fail-on; 1 at least one such finding; 2 bad usage or input; 3 no evidence at all.',
  'Rules run in stage order expiry → chain → san → key-usage; `mtls-doctor rules` lists them.',
].join('\n');

const file = (path: string | undefined) => (path === undefined ? undefined : { path });
const files = (paths: string[] | undefined) => (paths?.length ? paths.map((path) => ({ path })) : undefined);

/** The request the flags ask for: files by path, everything else as given. Undefined fields are left out. */
export function requestFromArgs(a: DiagnoseArgs): DiagnoseRequest {
  const r: DiagnoseRequest = {
    target: a.target,
    selector: a.selector,
    namespace: a.namespace,
    context: a.context,
    kubeconfig: a.kubeconfig,
    readCaSecrets: a.readCaSecrets,
    inPod: a.inPod,
    image: a.image,
    chain: file(a.chain),
    key: file(a.key),
    trust: files(a.trust),
    peerTrust: files(a.peerTrust),
    ca: files(a.ca),
    crls: files(a.crl),
    maxChainDepth: a.maxDepth,
    role: a.role,
    expectId: a.expectId,
    peerId: a.peerId,
    at: a.at,
    thresholds: file(a.thresholds),
    symptom: a.symptom,
    failOn: a.failOn,
    evidence: file(a.evidence),
    peer: a.peer,
    sni: a.sni,
    alpn: a.alpn,
    envoyAdmin: a.envoyAdmin,
    agent: a.agent,
    proxyRoot: a.proxyRoot,
    window: a.window,
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as DiagnoseRequest;
}

export async function runDiagnose(args: DiagnoseArgs, io: Io): Promise<number> {
  const request = requestFromArgs(args);
  const deps = { env: io.env, ...(io.now ? { now: io.now } : {}), kube: { progress: (line: string) => void io.stderr.write(`mtls-doctor: ${line}\n`) } };
  if (request.inPod) {
    // The copy inside the pod renders its own report; what it collected stays in the pod.
    if (args.saveEvidence) throw usageError('Cannot combine --in-pod with --save-evidence: the diagnosis runs inside the pod and only its report comes back');
    const report = await diagnose(request, deps);
    io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env) }));
    return exitCode(report, request.failOn);
  }
  const { report, evidence } = await diagnoseWithEvidence(request, deps);
  // Redacted, written atomically, never through a link or into a FIFO or device (src/evidence/save.ts).
  if (args.saveEvidence) saveEvidence(args.saveEvidence, evidence);
  io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env) }));
  return exitCode(report, request.failOn);
}
