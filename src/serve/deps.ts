/**
 * What `serve` needs from the rest of mtls-doctor, behind one small interface so that tests inject fakes and the
 * cluster target and the fleet scan plug in when they exist. The default is the one pipeline (src/diagnose/).
 */
import { diagnose, type DiagnoseRequest } from '../diagnose/index.js';
import { explainText } from '../diagnose/explain.js';
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

/**
 * The server's own surroundings are never evidence: no auto-detection of an istio-proxy (the server pod's own
 * sidecar, its files, /proc); the webhook and chat refuse the proxy fields (envoyAdmin, agent, proxyRoot) anyway.
 */
const SERVER_ENV = { MTLS_DOCTOR_NO_AUTODETECT: '1' } as const;

/** The one pipeline, with the checked peer probed through the pinned transport. */
export async function defaultDiagnose(request: ServeDiagnoseRequest, ctx: DiagnoseContext): Promise<Report> {
  if (request.target !== undefined) throw new ServeError('E_NOT_AVAILABLE', 'Cluster mode is not available in this build of mtls-doctor serve');
  if (request.peer !== undefined && !ctx.transport) throw new ServeError('E_FORBIDDEN', 'Refused: a peer probe without the peer guard', { rule: 'peer-guard' });
  const { namespace: _namespace, ...rest } = request;
  const libraryRequest = { ...rest, ...(ctx.peerName ? { label: `peer ${ctx.peerName}` } : {}) } as DiagnoseRequest;
  return diagnose(libraryRequest, { env: SERVER_ENV, procDir: '/nonexistent', ...(ctx.transport ? { transport: ctx.transport } : {}) });
}

export function defaultServeDeps(overrides: Partial<ServeDeps> & Pick<ServeDeps, 'parseArgv'>): ServeDeps {
  return {
    diagnose: defaultDiagnose,
    explain: async (text) => explainText(text),
    cluster: false,
    resolve: systemResolver,
    now: Date.now,
    log: (line) => void process.stdout.write(line),
    ...overrides,
  };
}
