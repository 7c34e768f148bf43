/**
 * What `serve` needs from the rest of mtls-doctor, behind one small interface so that tests inject fakes and the
 * cluster target and the fleet scan plug in when they exist. The default uses the library (src/index.ts).
 */
import { diagnose as libraryDiagnose, explain as libraryExplain, evaluate, rules } from '../index.js';
import type { ProbeTransport } from '../probe/transport.js';
import type { Report } from '../report/types.js';
import type { Impersonation } from './authz.js';
import { ServeError } from './errors.js';
import { systemResolver, type Resolver } from './peer-guard.js';
import type { ServeDiagnoseRequest } from './request.js';
import type { ArgvParser } from './chat-command.js';

export interface DiagnoseContext {
  /** Aborted at the deadline. */
  signal: AbortSignal;
  /** Kubernetes impersonation for cluster requests (null otherwise). */
  impersonate: Impersonation | null;
  /** The peer as the caller named it; `request.peer` holds its in-cluster name. */
  peerName: string | null;
  /** For a peer probe: the network edge pinned to the checked address (the probe must use it). */
  transport: ProbeTransport | null;
}

export interface ServeDeps {
  /** The CLI's parser in parse-only mode (src/cli/main.ts parseOnly): chat text shares the CLI's grammar. */
  parseArgv: ArgvParser;
  diagnose(request: ServeDiagnoseRequest, ctx: DiagnoseContext): Promise<Report>;
  explain(text: string): Promise<Report>;
  /** Whether a cluster target (`pod/NAME -n NS`) can be collected by `diagnose` in this build. */
  cluster: boolean;
  /** The fleet scan, when this build has it: `scan -n NS` and `rotation status` answer "not available yet" without. */
  scan?: (namespace: string, ctx: DiagnoseContext) => Promise<Report>;
  resolve: Resolver;
  /** For posts to Slack's response_url (default: Node's fetch). */
  fetch?: typeof fetch;
  now: () => number;
  /** One JSON log line (already serialised and redacted). */
  log: (line: string) => void;
}

/** The library's diagnose(), with the checked peer probed through the pinned transport. */
export async function defaultDiagnose(request: ServeDiagnoseRequest, ctx: DiagnoseContext): Promise<Report> {
  const { target, namespace, peer, peerId, sni, alpn, ...files } = request;
  if (target !== undefined || namespace !== undefined && !peer) throw new ServeError('E_NOT_AVAILABLE', 'Cluster mode is not available in this build of mtls-doctor serve');
  if (peer === undefined) return libraryDiagnose(files as Parameters<typeof libraryDiagnose>[0]);
  if (!ctx.transport) throw new ServeError('E_FORBIDDEN', 'Refused: a peer probe without the peer guard', { rule: 'peer-guard' });
  // Until the library's diagnose() takes a peer (the one-pipeline issue), the probe is composed here.
  const [{ evidenceFromInputs }, { parsePeer }, { probeIntoEvidence }] = await Promise.all([import('../evidence/from-inputs.js'), import('../probe/probe.js'), import('../probe/collect.js')]);
  const many = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  const named = (name: string, xs: string[]) => xs.map((data, i) => ({ name: xs.length > 1 ? `${name}[${i}]` : name, data }));
  const chain = many(files.chain);
  const evidence = evidenceFromInputs({
    chain: chain.length ? { name: 'chain', data: chain.join('\n') } : undefined,
    key: files.key === undefined ? undefined : { name: 'key', data: files.key },
    trust: named('trust', many(files.trust)),
    peerTrust: named('peerTrust', many(files.peerTrust)),
    ca: named('ca', many(files.ca)),
    crls: named('crl', many(files.crls)),
    maxChainDepth: files.maxChainDepth,
    role: files.role,
    expectId: files.expectId ?? null,
    peerId: peerId ?? null,
    at: files.at,
    thresholds: files.thresholds as never,
    symptom: files.symptom ?? null,
    target: { kind: 'library' },
  });
  const pinned = parsePeer(peer);
  const probed = await probeIntoEvidence(evidence, { peer: { ...pinned, text: ctx.peerName ?? pinned.text }, sni: sni ?? null, alpn: alpn ?? null, key: files.key, transport: ctx.transport });
  return evaluate(probed, rules);
}

export function defaultServeDeps(overrides: Partial<ServeDeps> & Pick<ServeDeps, 'parseArgv'>): ServeDeps {
  return {
    diagnose: defaultDiagnose,
    explain: (text) => libraryExplain(text),
    cluster: false,
    resolve: systemResolver,
    now: Date.now,
    log: (line) => void process.stdout.write(line),
    ...overrides,
  };
}
