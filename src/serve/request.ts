/**
 * The request a diagnosis runs with, and the one preparation both faces (Slack, webhook) share: authorise the
 * namespace, refuse what this build cannot do, check the peer (after DNS resolution) and pin it. Nothing runs
 * before this has passed.
 */
import type { ServeConfig } from './config.js';
import { authorizeNamespace, impersonationFor, type Grant, type Impersonation } from './authz.js';
import { ServeError, badRequest, forbidden } from './errors.js';
import { checkPeer, type CheckedPeer, type Resolver } from './peer-guard.js';

type Pem = string | string[];

/** The library's request as JSON (DESIGN.md: every value serialisable), limited to what a remote caller may send. */
export interface ServeDiagnoseRequest {
  chain?: Pem;
  key?: string;
  trust?: Pem;
  peerTrust?: Pem;
  ca?: Pem;
  crls?: Pem;
  maxChainDepth?: number;
  role?: 'client' | 'server' | 'both';
  expectId?: string;
  at?: string;
  thresholds?: Record<string, unknown>;
  symptom?: string;
  evidence?: Record<string, unknown>;
  /** Cluster target (cluster mode): `pod/NAME`, `deploy/NAME`, `svc/NAME` or `NAME`, with its namespace. */
  target?: string;
  namespace?: string;
  peer?: string;
  peerId?: string;
  sni?: string;
  alpn?: string[];
}

/** Request fields that exist in the library (or the CLI) but are never accepted from a remote caller. */
const REFUSED_FIELDS = ['kubeconfig', 'context', 'proxyRoot', 'envoyAdmin', 'agent', 'saveEvidence', 'inPod', 'image', 'readCaSecrets', 'window', 'selector', 'files', 'chainFile', 'keyFile', 'trustFile'];

const KINDS: Record<keyof ServeDiagnoseRequest, 'pem' | 'string' | 'number' | 'object' | 'strings'> = {
  chain: 'pem', key: 'string', trust: 'pem', peerTrust: 'pem', ca: 'pem', crls: 'pem', maxChainDepth: 'number', role: 'string', expectId: 'string', at: 'string',
  thresholds: 'object', symptom: 'string', evidence: 'object', target: 'string', namespace: 'string', peer: 'string', peerId: 'string', sni: 'string', alpn: 'strings',
};

/** Checks the JSON body of POST /v1/diagnoses: an object with known fields of the right JSON types. */
export function parseWebhookRequest(body: unknown): ServeDiagnoseRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Cannot read the request: expected a JSON object (the library\'s DiagnoseRequest)');
  for (const [k, v] of Object.entries(body)) {
    if (REFUSED_FIELDS.includes(k)) throw forbidden(`Refused: "${k}" is not accepted over the webhook (files, kubeconfigs, proxy sources and evidence files stay with the server's operators)`, 'webhook field allowlist');
    const kind = (KINDS as Record<string, string>)[k];
    if (!kind) throw badRequest(`Cannot read the request: unknown field "${k}" (expected ${Object.keys(KINDS).join(', ')})`);
    const ok =
      kind === 'pem' ? typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))
      : kind === 'strings' ? Array.isArray(v) && v.every((x) => typeof x === 'string')
      : kind === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v)
      : typeof v === kind;
    // The library reads `{ path }` as a file to open: never for a remote caller.
    if (ok && kind === 'object' && 'path' in (v as object)) throw forbidden(`Refused: "${k}" names a file ({ path }); send the content itself`, 'webhook field allowlist');
    if (!ok) throw badRequest(`Cannot read the request: "${k}" must be ${kind === 'pem' ? 'a PEM string or a list of them' : kind === 'strings' ? 'a list of strings' : `a JSON ${kind}`}`);
  }
  return body as ServeDiagnoseRequest;
}

export interface Prepared {
  request: ServeDiagnoseRequest;
  impersonate: Impersonation | null;
  /** For messages and the audit log: what is being diagnosed. */
  label: string;
  namespace: string | null;
  /** The peer as the caller named it (the request holds its in-cluster name). */
  peerName: string | null;
  /** The checked peer: the probe may reach this address only (pinnedTransport). */
  pin: CheckedPeer | null;
}

export interface PrepareDeps {
  config: ServeConfig;
  resolve: Resolver;
  /** Whether this build has cluster mode (a `target` can be collected). */
  cluster: boolean;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Authorises and checks a request; returns the request to run (peer pinned to its checked address). */
export async function prepareDiagnosis(grant: Grant, input: ServeDiagnoseRequest, d: PrepareDeps): Promise<Prepared> {
  const request: ServeDiagnoseRequest = { ...input };
  let pin: CheckedPeer | null = null;
  const namespace = input.namespace ?? null;
  if (namespace !== null && !NAMESPACE.test(namespace)) throw badRequest(`Cannot use namespace "${namespace}": not a Kubernetes namespace name`);
  if (input.target !== undefined) {
    // svc/NAME judges the service's callers in its own namespace only (the namespace authorised below).
    if (!/^(?:(?:pod|pods|po|deploy|deployment|deployments|svc|service|services)\/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(input.target)) {
      throw badRequest(`Cannot use target "${input.target}": expected pod/NAME, deploy/NAME, svc/NAME or NAME (a Kubernetes object name)`);
    }
    if (namespace === null) throw badRequest(`Cannot diagnose "${input.target}" without its namespace: give -n NS ("namespace" in the webhook)`);
  }
  // Authorisation first: a refused caller learns nothing about what this build can do.
  if (namespace !== null) authorizeNamespace(grant, namespace);
  if (input.target !== undefined && !d.cluster) {
    throw new ServeError('E_NOT_AVAILABLE', 'Cluster mode is not available in this build of mtls-doctor serve: a pod target cannot be collected here (use --peer SVC.NS:PORT, or PEM contents over the webhook)');
  }
  if (input.peer !== undefined) {
    const checked = await checkPeer(input.peer, {
      namespace: namespace ?? undefined,
      allowed: grant.namespaces,
      allowedBy: grant.rule,
      domain: d.config.cluster.domain,
      cidrs: d.config.cluster.peerBlockList,
      cidrsText: d.config.cluster.peerCidrs,
      resolve: d.resolve,
    });
    // The canonical in-cluster name: the probe's SNI defaults to it, and the pinned transport answers only it.
    request.peer = `${checked.fqdn}:${checked.port}`;
    pin = checked;
  }
  const label = input.target ? `${input.target} -n ${namespace}` : input.peer ? `peer ${input.peer}` : 'certificates';
  return { request, impersonate: input.target !== undefined ? impersonationFor(d.config, grant.caller) : null, label, namespace, peerName: input.peer ?? null, pin };
}
