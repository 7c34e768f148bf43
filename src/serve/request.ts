/**
 * The request a diagnosis runs with, and the one preparation both faces (Slack, webhook) share: authorise the
 * namespace, refuse what this build cannot do, check the peer (after DNS resolution) and pin it. Nothing runs
 * before this has passed.
 */
import { REQUEST_FIELDS, type DiagnoseRequest, type RequestField, type WebhookField } from '../diagnose/request.js';
import type { ServeConfig } from './config.js';
import { authorizeNamespace, impersonationFor, type Grant, type Impersonation } from './authz.js';
import { ServeError, badRequest, forbidden } from './errors.js';
import { checkPeer, type CheckedPeer, type Resolver } from './peer-guard.js';

/**
 * The library's request as a remote caller may send it (DESIGN.md: every value serialisable): the fields the
 * request table (src/diagnose/request.ts) opens to the webhook, in the JSON form it names.
 */
export type ServeDiagnoseRequest = Pick<DiagnoseRequest, WebhookField>;

/** Names that were never request fields but name local files: refused by name like the table's `refused` fields. */
const REFUSED_NAMES = ['saveEvidence', 'files', 'chainFile', 'keyFile', 'trustFile'];

type JsonKind = 'pem' | 'string' | 'number' | 'object' | 'strings';

/** Checks the JSON body of POST /v1/diagnoses: an object with known fields of the right JSON types. */
export function parseWebhookRequest(body: unknown, fields: readonly RequestField[] = REQUEST_FIELDS): ServeDiagnoseRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Cannot read the request: expected a JSON object (the library\'s DiagnoseRequest)');
  const kinds = new Map(fields.flatMap((f) => (f.webhook && f.webhook !== 'refused' ? [[f.name, f.webhook as JsonKind] as const] : [])));
  const refused = new Set([...fields.filter((f) => f.webhook === 'refused').map((f) => f.name), ...REFUSED_NAMES]);
  for (const [k, v] of Object.entries(body)) {
    if (refused.has(k)) throw forbidden(`Refused: "${k}" is not accepted over the webhook (files, kubeconfigs, proxy sources and evidence files stay with the server's operators)`, 'webhook field allowlist');
    const kind = kinds.get(k);
    if (!kind) throw badRequest(`Cannot read the request: unknown field "${k}" (expected ${[...kinds.keys()].join(', ')})`);
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
