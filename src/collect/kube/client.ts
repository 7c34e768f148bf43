/**
 * The one module that loads @kubernetes/client-node. It turns kubeconfig/in-cluster configuration into a small
 * API of plain results: every call is bounded by a timeout, carries the caller's impersonation (for `serve`),
 * and ends `{ok: true, value}` or `{ok: false, kind, reason}` — a 403 names the verb, resource and namespace that
 * is missing — never a thrown library error.
 *
 * REST calls go through client-node's generated clients with an undici transport of ours (client-node's
 * documented `httpApi` hook): it applies the timeout to the whole exchange, caps the body, and sends
 * `Impersonate-Group` once per group (client-node's own headers are a single-valued map). Port-forward and exec
 * are client-node's `PortForward` and `Exec` over its WebSocket handler.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable, Readable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, request as undiciRequest } from 'undici';
import { inputError, usageError } from '../../errors.js';
import { capMs, type Deadline } from '../../model/deadline.js';

/**
 * The deadline of the diagnosis a call belongs to (`KubeApi.withDeadline`): set around each call of a bounded view,
 * read where the waits are armed (the REST request's abort, the WebSocket's opening handshake, exec and
 * port-forward), so that one client serves calls with and without a deadline.
 */
const callDeadline = new AsyncLocalStorage<Deadline>();
/** A call's wait: the client's per-call bound, or what is left of its diagnosis's deadline when that is less. */
const callCap = (timeoutMs: number): number => capMs(timeoutMs, callDeadline.getStore());

export interface Impersonation {
  user?: string;
  groups?: string[];
}

export interface KubeConnectOptions {
  /** --kubeconfig FILE; else KUBECONFIG, else ~/.kube/config, else the in-cluster service account. */
  kubeconfig?: string;
  context?: string;
  /** Act as this user/groups on every request (Kubernetes impersonation; the caller needs `impersonate` RBAC). */
  impersonate?: Impersonation;
  /** Bound of every API call and stream open, ms (default 10 s). */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  /** Tests inject a loaded KubeConfig. */
  kubeConfig?: k8s.KubeConfig;
}

export type Failure = { ok: false; kind: 'forbidden' | 'not-found' | 'unauthorized' | 'unreachable' | 'timeout' | 'other'; status?: number; reason: string; user?: string };
export type Result<T> = { ok: true; value: T } | Failure;

export const DEFAULT_KUBE_TIMEOUT_MS = 10_000;
const MAX_BODY = 16 * 1024 * 1024;
const IN_CLUSTER_NS = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Loads the configuration as kubectl would; a missing file or context is one clear line (exit 2). */
export function loadKubeConfig(o: KubeConnectOptions): { kc: k8s.KubeConfig; namespace: string; inCluster: boolean } {
  if (o.kubeConfig) return { kc: o.kubeConfig, namespace: o.kubeConfig.getContextObject(o.kubeConfig.getCurrentContext())?.namespace ?? 'default', inCluster: false };
  const env = o.env ?? process.env;
  const kc = new k8s.KubeConfig();
  const files = o.kubeconfig ? [o.kubeconfig] : env.KUBECONFIG ? env.KUBECONFIG.split(':').filter(Boolean) : env.HOME && existsSync(join(env.HOME, '.kube', 'config')) ? [join(env.HOME, '.kube', 'config')] : [];
  let inCluster = false;
  if (files.length === 0) {
    if (!env.KUBERNETES_SERVICE_HOST) throw usageError('Cannot reach the cluster: no kubeconfig (give --kubeconfig FILE or set KUBECONFIG; ~/.kube/config does not exist) and not running inside a pod');
    try {
      kc.loadFromCluster();
      inCluster = true;
    } catch (e) {
      throw inputError(`Cannot use the in-cluster configuration: ${(e as Error).message}`, e);
    }
  } else {
    const existing = files.filter((f) => existsSync(f));
    if (existing.length === 0) throw inputError(`Cannot read kubeconfig "${files[0]}": no such file${o.kubeconfig ? '' : ' (from KUBECONFIG)'}`);
    try {
      kc.loadFromFile(existing[0]!);
      for (const f of existing.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, true);
      }
    } catch (e) {
      throw inputError(`Cannot read kubeconfig "${existing[0]}": ${(e as Error).message.split('\n')[0]}`, e);
    }
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw usageError(`Cannot use --context "${o.context}": the kubeconfig has no such context${names.length ? `; it has ${names.map((n) => `"${n}"`).join(', ')}` : ''}`);
    }
    kc.setCurrentContext(o.context);
  }
  if (!inCluster && !kc.getCurrentCluster()) throw usageError(`Cannot reach the cluster: the kubeconfig has no current context${kc.getContexts().length ? '; give --context NAME' : ''}`);
  let namespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  if (inCluster && existsSync(IN_CLUSTER_NS)) namespace = readFileSync(IN_CLUSTER_NS, 'utf8').trim() || namespace;
  return { kc, namespace, inCluster };
}

function impersonationHeaders(i: Impersonation | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (i?.user) out.push(['Impersonate-User', i.user]);
  for (const g of i?.groups ?? []) out.push(['Impersonate-Group', g]);
  return out;
}

/** client-node's RequestContext → undici, with the deadline, the body cap and impersonation. */
class BoundedHttp implements k8s.PromiseHttpLibrary {
  private agents = new Map<unknown, Agent>();
  constructor(
    private readonly timeoutMs: number,
    private readonly impersonate: Impersonation | undefined,
  ) {}

  private dispatcher(agent: unknown): Agent {
    let d = this.agents.get(agent ?? null);
    if (!d) {
      const o = ((agent as { options?: Record<string, unknown> } | undefined)?.options ?? {}) as Record<string, unknown>;
      d = new Agent({
        connect: { ca: o.ca as string, cert: o.cert as string, key: o.key as string, rejectUnauthorized: o.rejectUnauthorized as boolean | undefined, servername: o.servername as string | undefined, timeout: this.timeoutMs },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        keepAliveTimeout: 1000,
      });
      this.agents.set(agent ?? null, d);
    }
    return d;
  }

  async send(req: k8s.RequestContext): Promise<k8s.ResponseContext> {
    const headers: Array<[string, string]> = Object.entries(req.getHeaders()).map(([k, v]) => [k, String(v)]);
    headers.push(...impersonationHeaders(this.impersonate));
    const signal = AbortSignal.timeout(callCap(this.timeoutMs));
    const res = await undiciRequest(req.getUrl(), {
      method: req.getHttpMethod() as 'GET',
      headers: headers.flat(),
      body: (req.getBody() as string | undefined) ?? undefined,
      dispatcher: this.dispatcher(req.getAgent()),
      signal,
    });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of res.body as AsyncIterable<Buffer>) {
      total += c.length;
      if (total > MAX_BODY) {
        res.body.destroy();
        throw new Error(`the API server's answer is over ${MAX_BODY / 1024 / 1024} MiB; stopped reading`);
      }
      chunks.push(c);
    }
    const buf = Buffer.concat(chunks);
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
    return new k8s.ResponseContext(res.statusCode, h, { text: async () => buf.toString('utf8'), binary: async () => buf });
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.destroy().catch(() => undefined)));
  }
}

/** One line for any failure of a call, with the verb/resource/namespace it was. */
export function classify(e: unknown, what: { verb: string; resource: string; namespace: string | null; name?: string }, timeoutMs: number, server: string): Failure {
  const err = e as { code?: number | string; body?: unknown; message?: string; name?: string; cause?: { code?: string; message?: string } };
  const where = `${what.verb} ${what.resource}${what.name ? ` "${what.name}"` : ''}${what.namespace ? ` in namespace "${what.namespace}"` : ''}`;
  // An AbortSignal timeout is a DOMException, whose numeric `code` (23) is not an HTTP status.
  const timedOut = err?.name === 'TimeoutError' || err?.name === 'AbortError';
  if (typeof err?.code === 'number' && !timedOut) {
    const msg = messageOf(err.body);
    if (err.code === 403) {
      const user = /User "([^"]+)"/.exec(msg)?.[1];
      return { ok: false, kind: 'forbidden', status: 403, reason: `forbidden: cannot ${where}${user ? ` (as User "${user}")` : ''}`, ...(user ? { user } : {}) };
    }
    if (err.code === 401) return { ok: false, kind: 'unauthorized', status: 401, reason: `the API server at ${server} rejected the credentials (401 Unauthorized: expired or invalid token or certificate; run a kubectl command to refresh them, or check --context)` };
    if (err.code === 404) return { ok: false, kind: 'not-found', status: 404, reason: msg || `${what.resource} not found` };
    return { ok: false, kind: 'other', status: err.code, reason: `cannot ${where}: HTTP ${err.code}${msg ? ` (${msg})` : ''}` };
  }
  const code = err?.cause?.code ?? (typeof err?.code === 'string' ? err.code : undefined);
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { ok: false, kind: 'timeout', reason: `the API server at ${server} gave no complete answer to ${where} within ${Math.round(timeoutMs / 100) / 10}s` };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET') {
    return { ok: false, kind: 'unreachable', reason: `cannot reach the API server at ${server} (${code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the name does not resolve' : code === 'ECONNRESET' ? 'connection reset' : 'unreachable'})` };
  }
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO/i.test(`${code ?? ''} ${err?.cause?.message ?? err?.message ?? ''}`)) {
    return { ok: false, kind: 'unreachable', reason: `cannot verify the API server at ${server}: ${(err?.cause?.message ?? err?.message ?? '').split('\n')[0]} (check certificate-authority in the kubeconfig)` };
  }
  return { ok: false, kind: 'other', reason: `cannot ${where}: ${(err?.cause?.message ?? err?.message ?? String(e)).split('\n')[0]!.slice(0, 200)}` };
}

function messageOf(body: unknown): string {
  if (!body) return '';
  if (typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  if (typeof body === 'string') {
    try {
      const j = JSON.parse(body) as { message?: string };
      if (typeof j.message === 'string') return j.message;
    } catch {
      /* not JSON */
    }
    return body.split('\n')[0]!.slice(0, 200);
  }
  return '';
}

/** YAML (the mesh config's `mesh` key) through client-node's own parser; null when it is not YAML. */
export function parseYaml(text: string): unknown {
  try {
    return k8s.loadYaml(text);
  } catch {
    return null;
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null: the command ran and exited 0; else the failure the Status carried. */
  failure: string | null;
}

/** The client API the collectors use: plain results, bounded, impersonated. */
export interface KubeApi {
  readonly server: string;
  readonly context: string | null;
  readonly namespace: string;
  readonly timeoutMs: number;
  /** The diagnosis's deadline this view's calls are bounded by (null: each call by `timeoutMs` alone). */
  readonly deadline: Deadline | null;
  /** The same client, every call and stream bounded by min(`timeoutMs`, what is left of `d`) (issue 22). */
  withDeadline(d: Deadline): KubeApi;
  getPod(ns: string, name: string): Promise<Result<k8s.V1Pod>>;
  listPods(ns: string, labelSelector: string): Promise<Result<k8s.V1Pod[]>>;
  /** Pods of every namespace (`-A`). */
  listAllPods(labelSelector: string): Promise<Result<k8s.V1Pod[]>>;
  getDeployment(ns: string, name: string): Promise<Result<k8s.V1Deployment>>;
  getService(ns: string, name: string): Promise<Result<k8s.V1Service>>;
  /** Services of one namespace, or of every namespace (null). */
  listServices(ns: string | null): Promise<Result<k8s.V1Service[]>>;
  getConfigMap(ns: string, name: string): Promise<Result<k8s.V1ConfigMap>>;
  /**
   * Reads a Secret and keeps only the named keys (decoded): everything else (a CA's private key) is dropped from
   * the received object before this returns, and never held, logged or saved.
   */
  getSecretKeys(ns: string, name: string, keep: readonly string[]): Promise<Result<Record<string, string>>>;
  /** Lists an Istio CRD, trying each version in turn (v1, then v1beta1) when one is not served. */
  listIstio(group: string, versions: string[], ns: string, plural: string): Promise<Result<{ version: string; items: Array<Record<string, unknown>> }>>;
  readLog(ns: string, pod: string, container: string): Promise<Result<string>>;
  patchEphemeralContainers(ns: string, pod: string, containers: k8s.V1EphemeralContainer[]): Promise<Result<k8s.V1Pod>>;
  /** Opens a port-forward stream to one pod port and pipes it with `socket`; resolves when the stream is open. */
  portForward(ns: string, pod: string, port: number, output: Writable, input: Readable): Promise<Result<{ close(): void }>>;
  exec(ns: string, pod: string, container: string, command: string[], maxBytes?: number): Promise<Result<ExecResult>>;
  close(): Promise<void>;
}

/** Connects (lazily: nothing is sent until the first call). */
export function connectKube(o: KubeConnectOptions): KubeApi {
  const { kc, namespace } = loadKubeConfig(o);
  const timeoutMs = o.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const cluster = kc.getCurrentCluster();
  const server = cluster?.server ?? '(no server)';
  const http = new BoundedHttp(timeoutMs, o.impersonate);
  const config = k8s.createConfiguration({ baseServer: new k8s.ServerConfiguration(server, {}), authMethods: { default: kc }, httpApi: k8s.wrapHttpLibrary(http) });
  const core = new k8s.CoreV1Api(config);
  const apps = new k8s.AppsV1Api(config);
  const custom = new k8s.CustomObjectsApi(config);
  // The WebSocket handler reads the cluster and applies auth through this view of the KubeConfig: it adds
  // impersonation (an array value becomes one header line per group) and bounds the opening handshake.
  // One TLS context for every WebSocket (a scan opens one port-forward per pod): building it from the CA and the
  // client certificate for each connection cost more than the rest of reading a pod. Rebuilt when they change.
  let tlsContext: { key: string; context: SecureContext } | null = null;
  const wsConfig = {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applyToHTTPSOptions: async (opts: Record<string, unknown>) => {
      await kc.applyToHTTPSOptions(opts as never);
      if (!opts.secureContext) {
        const material = { ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase };
        const key = Object.values(material).map((v) => (v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('base64') : String(v))).join('\u0000');
        if (tlsContext?.key !== key) tlsContext = { key, context: createSecureContext(material as SecureContextOptions) };
        opts.secureContext = tlsContext.context;
      }
      const headers = (opts.headers ?? {}) as Record<string, string | string[]>;
      if (o.impersonate?.user) headers['Impersonate-User'] = o.impersonate.user;
      if (o.impersonate?.groups?.length) headers['Impersonate-Group'] = o.impersonate.groups;
      opts.headers = headers;
      opts.handshakeTimeout = callCap(timeoutMs);
    },
  } as unknown as k8s.KubeConfig;
  const forwarder = new k8s.PortForward(wsConfig, true);
  const executor = new k8s.Exec(wsConfig);

  const call = async <T>(what: { verb: string; resource: string; namespace: string | null; name?: string }, f: () => Promise<T>): Promise<Result<T>> => {
    try {
      return { ok: true, value: await f() };
    } catch (e) {
      return classify(e, what, callCap(timeoutMs), server);
    }
  };

  const api: KubeApi = {
    server,
    context: kc.getCurrentContext() || null,
    namespace,
    timeoutMs,
    deadline: null,
    withDeadline: (d) => bounded(d),
    getPod: (ns, name) => call({ verb: 'get', resource: 'pods', namespace: ns, name }, () => core.readNamespacedPod({ name, namespace: ns })),
    listPods: (ns, labelSelector) => call({ verb: 'list', resource: 'pods', namespace: ns }, async () => (await core.listNamespacedPod({ namespace: ns, labelSelector })).items),
    listAllPods: (labelSelector) => call({ verb: 'list', resource: 'pods', namespace: null }, async () => (await core.listPodForAllNamespaces({ labelSelector })).items),
    getDeployment: (ns, name) => call({ verb: 'get', resource: 'deployments.apps', namespace: ns, name }, () => apps.readNamespacedDeployment({ name, namespace: ns })),
    getService: (ns, name) => call({ verb: 'get', resource: 'services', namespace: ns, name }, () => core.readNamespacedService({ name, namespace: ns })),
    listServices: (ns) =>
      call({ verb: 'list', resource: 'services', namespace: ns }, async () => (ns === null ? await core.listServiceForAllNamespaces({}) : await core.listNamespacedService({ namespace: ns })).items),
    getConfigMap: (ns, name) => call({ verb: 'get', resource: 'configmaps', namespace: ns, name }, () => core.readNamespacedConfigMap({ name, namespace: ns })),
    getSecretKeys: (ns, name, keep) =>
      call({ verb: 'get', resource: 'secrets', namespace: ns, name }, async () => {
        const s = await core.readNamespacedSecret({ name, namespace: ns });
        const data = s.data ?? {};
        const out: Record<string, string> = {};
        for (const k of keep) if (typeof data[k] === 'string') out[k] = Buffer.from(data[k]!, 'base64').toString('utf8');
        for (const k of Object.keys(data)) delete data[k];
        s.data = undefined;
        s.stringData = undefined;
        return out;
      }),
    async listIstio(group, versions, ns, plural) {
      let last: Failure | null = null;
      for (const version of versions) {
        const r = await call({ verb: 'list', resource: `${plural}.${group}`, namespace: ns }, () => custom.listNamespacedCustomObject({ group, version, namespace: ns, plural }) as Promise<{ items?: Array<Record<string, unknown>> }>);
        if (r.ok) return { ok: true, value: { version, items: r.value.items ?? [] } };
        last = r;
        if (r.kind !== 'not-found') return r;
      }
      return last ?? { ok: false, kind: 'other', reason: 'no version to try' };
    },
    readLog: (ns, pod, container) => call({ verb: 'get', resource: 'pods/log', namespace: ns, name: pod }, () => core.readNamespacedPodLog({ name: pod, namespace: ns, container, limitBytes: MAX_BODY })),
    patchEphemeralContainers: (ns, pod, containers) =>
      call({ verb: 'patch', resource: 'pods/ephemeralcontainers', namespace: ns, name: pod }, () =>
        // client-node 1.x sends application/json-patch+json unless told; this body is a strategic merge patch.
        core.patchNamespacedPodEphemeralcontainers({ name: pod, namespace: ns, body: { spec: { ephemeralContainers: containers } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)),
      ),
    async portForward(ns, pod, port, output, input) {
      const what = { verb: 'create', resource: 'pods/portforward', namespace: ns, name: pod };
      try {
        const conn = (await withTimeout(forwarder.portForward(ns, pod, [port], output, null, input), callCap(timeoutMs))) as unknown as { close(): void; terminate?(): void; on(ev: string, f: () => void): void };
        conn.on('close', () => output.end());
        // client-node closes the stream when its input ends, not when it is destroyed: close it on both.
        const shut = () => (conn.terminate ? conn.terminate() : conn.close());
        input.once('close', shut);
        return { ok: true, value: { close: shut } };
      } catch (e) {
        return wsFailure(e, what, callCap(timeoutMs), server);
      }
    },
    async exec(ns, pod, container, command, maxBytes = MAX_BODY) {
      const what = { verb: 'create', resource: 'pods/exec', namespace: ns, name: pod };
      const { Writable } = await import('node:stream');
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let overflow = false;
      const sink = (into: Buffer[]) =>
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            size += chunk.length;
            if (size > maxBytes) overflow = true;
            else into.push(chunk);
            cb();
          },
        });
      let conn: { close(): void } | null = null;
      try {
        const done = new Promise<k8s.V1Status>((resolve) => {
          void executor
            .exec(ns, pod, container, command, sink(out), sink(err), null, false, (s) => resolve(s))
            .then((c) => {
              conn = c as unknown as { close(): void };
              (c as unknown as { on(ev: string, f: () => void): void }).on('close', () => resolve({ status: 'Failure', message: 'the exec stream closed without a status' }));
            }, (e) => resolve(Promise.reject(e)));
        });
        const st = await withTimeout(done, callCap(timeoutMs));
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (overflow) return { ok: false, kind: 'other', reason: `the exec output is over ${maxBytes} bytes; stopped reading` };
        return { ok: true, value: { stdout, stderr, failure: st.status === 'Success' ? null : st.message ?? 'failed' } };
      } catch (e) {
        return wsFailure(e, what, callCap(timeoutMs), server);
      } finally {
        (conn as { close(): void } | null)?.close();
      }
    },
    close: () => http.close(),
  };
  /** A view of `api` whose every call runs under `d` (the waits read it where they are armed). */
  const bounded = (d: Deadline): KubeApi => {
    const view = { ...api, deadline: d, withDeadline: bounded } as KubeApi;
    const calls = view as unknown as Record<string, unknown>;
    for (const [k, f] of Object.entries(api)) {
      if (typeof f === 'function' && k !== 'close' && k !== 'withDeadline') calls[k] = (...a: unknown[]) => callDeadline.run(d, () => (f as (...x: unknown[]) => unknown)(...a));
    }
    return view;
  };
  return api;
}

class Timeout extends Error {
  override name = 'TimeoutError';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, j) => (t = setTimeout(() => j(new Timeout('timeout')), ms)))]).finally(() => clearTimeout(t));
}

/** A refused WebSocket upgrade ("Unexpected server response: 403") as a plain failure. */
function wsFailure(e: unknown, what: { verb: string; resource: string; namespace: string; name: string }, timeoutMs: number, server: string): Failure {
  const msg = (e as { message?: string })?.message ?? String(e);
  const m = /Unexpected server response: (\d+)/.exec(msg);
  if (m) {
    const code = Number(m[1]);
    if (code === 403) return { ok: false, kind: 'forbidden', status: 403, reason: `forbidden: cannot ${what.verb} ${what.resource} "${what.name}" in namespace "${what.namespace}"` };
    if (code === 401) return classify({ code: 401 }, what, timeoutMs, server);
    return { ok: false, kind: code === 404 ? 'not-found' : 'other', status: code, reason: `cannot ${what.verb} ${what.resource} "${what.name}": HTTP ${code}` };
  }
  // ws's own bound on the opening handshake (handshakeTimeout): the API server never answered the upgrade.
  if (/handshake has timed out/i.test(msg)) return { ok: false, kind: 'timeout', reason: `the API server at ${server} did not open the ${what.resource} stream to "${what.name}" within ${Math.round(timeoutMs / 100) / 10}s` };
  const ev = e as { error?: unknown; target?: unknown };
  return classify(ev?.error ?? e, what, timeoutMs, server);
}
