/**
 * `mtls-doctor diagnose`: argv → request → diagnose() → render → exit code. Every check and every decision
 * about what to collect lives in src/diagnose/, shared with the library and every other face.
 */
import { inputError, usageError } from '../errors.js';
import { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseRequest, type FailOn } from '../diagnose/index.js';
import { saveEvidence } from '../collect/save-evidence.js';
import { renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth } from '../report/wrap.js';
import type { Io } from './io.js';

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
  maxPods?: number;
  fromNamespace?: string[];
  fromAllNamespaces?: boolean;
  chain?: string;
  key?: string;
  trust?: string[];
  peerTrust?: string[];
  ca?: string[];
  crl?: string[];
  maxDepth?: string;
  verifier?: string;
  role?: 'client' | 'server' | 'both';
  expectId?: string[];
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
    maxPods: a.maxPods,
    fromNamespace: a.fromNamespace?.length ? a.fromNamespace : undefined,
    fromAllNamespaces: a.fromAllNamespaces,
    chain: file(a.chain),
    key: file(a.key),
    trust: files(a.trust),
    peerTrust: files(a.peerTrust),
    ca: files(a.ca),
    crls: files(a.crl),
    maxChainDepth: a.maxDepth,
    verifier: a.verifier,
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

/**
 * `--chain -` (or `--key -`, `--trust -`, …): that one input comes from standard input, named so in the report.
 * At most one flag can read it.
 */
async function withStdin(request: DiagnoseRequest, args: DiagnoseArgs, stdin: AsyncIterable<unknown> & { destroy?: () => void }): Promise<DiagnoseRequest> {
  const dashes = (['chain', 'key', 'trust', 'peerTrust', 'ca', 'crl', 'thresholds', 'evidence'] as const).filter((k) => {
    const v = args[k];
    return v === '-' || (Array.isArray(v) && v.includes('-'));
  });
  if (dashes.length === 0) return request;
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (dashes.length > 1) throw usageError(`Cannot read standard input for both ${dashes.map(flag).join(' and ')}: give a file for all but one`);
  const k = dashes[0]!;
  if (k === 'thresholds' || k === 'evidence') throw usageError(`Cannot read ${flag(k)} from standard input: give a file`);
  const data = await readStdin(stdin, flag(k));
  const material = { name: 'standard input', data };
  const field = k === 'crl' ? 'crls' : k;
  const current = request[field as keyof DiagnoseRequest];
  const replaced = Array.isArray(current) ? current.map((m) => ((m as { path?: string }).path === '-' ? material : m)) : material;
  return { ...request, [field]: replaced } as DiagnoseRequest;
}

/** Standard input, bounded like a file input (4 MiB), as bytes (PEM or DER). */
async function readStdin(stdin: AsyncIterable<unknown> & { destroy?: () => void }, flag: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > 4 * 1024 * 1024) {
      stdin.destroy?.();
      throw inputError(`Cannot read ${flag} from standard input: more than 4 MiB`);
    }
    chunks.push(b);
  }
  const data = Buffer.concat(chunks);
  if (data.length === 0) throw inputError(`Cannot read ${flag} from standard input: it is empty; pipe the PEM or DER into it (cat cert-chain.pem | mtls-doctor diagnose ${flag} -)`);
  return data;
}

export async function runDiagnose(args: DiagnoseArgs, io: Io, stdin: AsyncIterable<unknown> & { destroy?: () => void } = process.stdin): Promise<number> {
  const request = await withStdin(requestFromArgs(args), args, stdin);
  const deps = { env: io.env, ...(io.now ? { now: io.now } : {}), kube: { progress: (line: string) => void io.stderr.write(`mtls-doctor: ${line}\n`) } };
  if (request.inPod) {
    // The copy inside the pod renders its own report; what it collected stays in the pod.
    if (args.saveEvidence) throw usageError('Cannot combine --in-pod with --save-evidence: the diagnosis runs inside the pod and only its report comes back');
    const report = await diagnose(request, deps);
    io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
    return exitCode(report, request.failOn);
  }
  const { report, evidence } = await diagnoseWithEvidence(request, deps);
  // Redacted, written atomically, never through a link or into a FIFO or device (src/collect/save-evidence.ts).
  if (args.saveEvidence) saveEvidence(args.saveEvidence, evidence);
  io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
  return exitCode(report, request.failOn);
}
