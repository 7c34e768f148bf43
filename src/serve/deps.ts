/**
 * What `serve` needs from the rest of mtls-doctor, behind one small interface so that tests inject fakes and the
 * cluster target and the fleet scan plug in when they exist. The default is the one pipeline (src/diagnose/).
 */
import { diagnose, planDiagnosis, type DiagnoseDeps, type DiagnoseRequest } from '../diagnose/index.js';
import { explainText } from '../explain/explain.js';
import { scan, type ScanRequest } from '../diagnose/scan.js';
import type { ScanReport } from '../fleet/types.js';
import type { ProbeTransport } from '../probe/transport.js';
import type { Report } from '../report/types.js';
import type { Impersonation } from './authz.js';
import type { ArgvParser } from './chat-command.js';
import { ServeError } from './errors.js';
import { systemResolver, type Resolver } from './peer-guard.js';
import type { ServeDiagnoseRequest } from './request.js';

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

/** A fleet scan as serve runs it: named namespaces (chat) or every namespace (the exporter); no files, no kubeconfig. */
export type ServeScanRequest = Pick<ScanRequest, 'namespaces' | 'allNamespaces' | 'selector' | 'at' | 'readCaSecrets' | 'concurrency' | 'podTimeoutMs' | 'whatIf'>;

export interface ScanContext {
  /** Aborted at the deadline. */
  signal: AbortSignal;
  /** Kubernetes impersonation: the caller's for chat, the exporter identity for --scan-interval (null: none). */
  impersonate: Impersonation | null;
}

export interface ServeDeps {
  /** The CLI's parser in parse-only mode (src/cli/main.ts parseOnly): chat text shares the CLI's grammar. */
  parseArgv: ArgvParser;
  diagnose(request: ServeDiagnoseRequest, ctx: DiagnoseContext): Promise<Report>;
  explain(text: string): Promise<Report>;
  /** Whether a cluster target (`pod/NAME -n NS`) can be collected by `diagnose` in this build. */
  cluster: boolean;
  /** The fleet scan (src/diagnose/scan.ts): `/mtls scan`, `/mtls rotation status` and the --scan-interval exporter. */
  scan: (request: ServeScanRequest, ctx: ScanContext) => Promise<ScanReport>;
  resolve: Resolver;
  /** For posts to Slack's response_url (default: Node's fetch). */
  fetch?: typeof fetch;
  now: () => number;
  /** One JSON log line (already serialised and redacted). */
  log: (line: string) => void;
}

/**
 * The server's own surroundings are never evidence: no auto-detection of an istio-proxy (the server pod's own
 * sidecar, its files, /proc); the webhook and chat refuse the proxy fields (envoyAdmin, agent, proxyRoot) anyway.
 */
const SERVER_ENV = { MTLS_DOCTOR_NO_AUTODETECT: '1' } as const;

/**
 * Whether this build's pipeline collects a cluster target (the cluster-mode issue): asked of its planner rather
 * than hard-coded, so that serve gains `/mtls diagnose pod/NAME -n NS` the moment the pipeline does.
 */
export function clusterModeAvailable(): boolean {
  try {
    planDiagnosis({ target: 'pod/mtls-doctor-probe', namespace: 'default' }, SERVER_ENV);
    return true;
  } catch {
    return false;
  }
}

/** The one pipeline: the checked peer probed through the pinned transport, cluster reads as the impersonated caller. */
export async function defaultDiagnose(request: ServeDiagnoseRequest, ctx: DiagnoseContext): Promise<Report> {
  if (request.peer !== undefined && !ctx.transport) throw new ServeError('E_FORBIDDEN', 'Refused: a peer probe without the peer guard', { rule: 'peer-guard' });
  const { namespace, target, ...rest } = request;
  // The namespace travels only with a cluster target (for a peer it was used by the guard, and is in its name).
  const libraryRequest: DiagnoseRequest = { ...rest, ...(target !== undefined ? { target, namespace } : {}), ...(ctx.peerName ? { label: `peer ${ctx.peerName}` } : {}) };
  const deps: DiagnoseDeps & { kube?: { impersonate: { user: string; groups: string[] } } } = {
    // The process environment (in-cluster config: KUBERNETES_SERVICE_HOST, or KUBECONFIG), with the search off.
    env: { ...process.env, ...SERVER_ENV },
    procDir: '/nonexistent',
    ...(ctx.transport ? { transport: ctx.transport } : {}),
    ...(ctx.impersonate ? { kube: { impersonate: { user: ctx.impersonate.user, groups: ctx.impersonate.groups } } } : {}),
  };
  return diagnose(libraryRequest, deps);
}

/** The one fleet scan, read through the cluster as the impersonated identity. */
export async function defaultScan(request: ServeScanRequest, ctx: ScanContext): Promise<ScanReport> {
  const only = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as ScanRequest;
  const kube = { env: { ...process.env, ...SERVER_ENV }, ...(ctx.impersonate ? { impersonate: { user: ctx.impersonate.user, groups: ctx.impersonate.groups } } : {}) };
  return (await scan(only, { kube, signal: ctx.signal })).report;
}

export function defaultServeDeps(overrides: Partial<ServeDeps> & Pick<ServeDeps, 'parseArgv'>): ServeDeps {
  return {
    diagnose: defaultDiagnose,
    explain: async (text) => explainText(text),
    scan: defaultScan,
    cluster: clusterModeAvailable(),
    resolve: systemResolver,
    now: Date.now,
    log: (line) => void process.stdout.write(line),
    ...overrides,
  };
}
