/**
 * Reaches a pod's istio-proxy the way istioctl does: port-forward to the Envoy admin (15000) and the pilot-agent
 * (15020); when port-forward is refused, exec `pilot-agent request GET <path>` in the istio-proxy container
 * (`--debug-port 15020` for the agent). Either way the result is an undici Dispatcher, so the proxy-evidence
 * collectors (src/collect/proxy.ts, envoy-admin.ts) run unchanged against `http://<pod>.<ns>:15000`.
 *
 * Port-forward: a loopback listener per pod port; each connection undici opens becomes one port-forward stream
 * (client-node's PortForward speaks one port per WebSocket). Exec: a loopback HTTP shim turns each GET into one
 * exec. Both listen on 127.0.0.1 port 0 and are closed with the bridge.
 */
import { createServer as createTcpServer, connect as netConnect, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { Duplex } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { SourceRecord } from '../../evidence/types.js';
import type { KubeApi } from './client.js';
import { budgetText, capMs, expired, timedOut } from '../../model/deadline.js';

export const ADMIN_PORT = 15000;
export const AGENT_PORT = 15020;

export interface SidecarBridge {
  /** Base URLs to give the collectors. */
  adminUrl: string;
  agentUrl: string;
  dispatcher: Dispatcher;
  mode: 'port-forward' | 'exec' | 'none';
  sources: SourceRecord[];
  denied: Array<{ verb: string; resource: string; namespace: string; name: string }>;
  close(): Promise<void>;
}

/** One port-forward stream to the admin port carrying `GET /ready`: ok when an HTTP answer comes back. */
async function probeAdmin(api: KubeApi, ns: string, pod: string): Promise<{ ok: true } | { ok: false; kind: string; reason: string }> {
  const { PassThrough } = await import('node:stream');
  const input = new PassThrough();
  const output = new PassThrough();
  const pf = await api.portForward(ns, pod, ADMIN_PORT, output, input);
  if (!pf.ok) {
    input.destroy();
    return pf;
  }
  const wait = capMs(api.timeoutMs, api.deadline ?? undefined);
  const answered = await new Promise<boolean | 'timeout'>((resolve) => {
    const t = setTimeout(() => resolve('timeout'), wait);
    output.once('data', (d: Buffer) => (clearTimeout(t), resolve(d.toString('latin1').startsWith('HTTP/'))));
    output.once('end', () => (clearTimeout(t), resolve(false)));
    input.write(`GET /ready HTTP/1.1\r\nHost: ${pod}:${ADMIN_PORT}\r\nConnection: close\r\n\r\n`);
  });
  pf.value.close();
  input.destroy();
  output.destroy();
  if (answered === 'timeout') return { ok: false, kind: 'timeout', reason: `port-forward to ${ADMIN_PORT} opened, but no answer came through it within ${Math.round(wait / 100) / 10}s` };
  return answered ? { ok: true } : { ok: false, kind: 'no-answer', reason: `port-forward to ${ADMIN_PORT} opened, but nothing answered HTTP there (is Envoy's admin on a Unix socket?)` };
}

const listen = (s: Server) => new Promise<number>((resolve, reject) => (s.once('error', reject), s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))));

/** Opens the bridge: tries a port-forward stream first, falls back to exec. */
export async function openSidecarBridge(api: KubeApi, ns: string, pod: string): Promise<SidecarBridge> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const sources: SourceRecord[] = [];
  const denied: SidecarBridge['denied'] = [];
  const track = (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s)));
  const local = new Map<number, number>();

  // Probe port-forward with one stream to the admin port, and one HTTP request over it: the stream opens even
  // when nothing listens on 15000 inside the pod (Envoy's admin on a Unix socket), and then only exec works.
  const pf = await probeAdmin(api, ns, pod);
  let mode: SidecarBridge['mode'];
  if (pf.ok) {
    mode = 'port-forward';
    for (const port of [ADMIN_PORT, AGENT_PORT]) {
      const srv = createTcpServer((sock) => {
        track(sock);
        void api.portForward(ns, pod, port, sock, sock).then((r) => {
          if (!r.ok) sock.destroy();
        });
      });
      servers.push(srv);
      local.set(port, await listen(srv));
    }
    sources.push({ name: 'sidecar access', status: 'ok', detail: `port-forward to pod/${pod} ports ${ADMIN_PORT} (Envoy admin) and ${AGENT_PORT} (pilot-agent)` });
  } else {
    if (pf.kind === 'forbidden') denied.push({ verb: 'create', resource: 'pods/portforward', namespace: ns, name: pod });
    // Nothing left of the diagnosis's deadline (the port-forward used it up): exec is not tried at all.
    const ex = api.deadline && expired(api.deadline)
      ? ({ ok: false, kind: 'timeout', reason: `not tried: the diagnosis's ${budgetText(api.deadline)} deadline had passed` } as const)
      : await api.exec(ns, pod, 'istio-proxy', ['pilot-agent', 'request', 'GET', 'certs']);
    if (ex.ok && ex.value.failure === null) {
      mode = 'exec';
      const srv = createHttpServer((req, res) => {
        const port = Number(req.headers['x-pod-port'] ?? ADMIN_PORT);
        const path = (req.url ?? '/').replace(/^\/+/, '');
        const cmd = ['pilot-agent', 'request', 'GET', path, ...(port === ADMIN_PORT ? [] : ['--debug-port', String(port)])];
        void api.exec(ns, pod, 'istio-proxy', cmd).then((r) => {
          if (r.ok && r.value.failure === null) {
            res.writeHead(200, { 'content-type': r.value.stdout.trimStart().startsWith('{') ? 'application/json' : 'text/plain' });
            res.end(r.value.stdout);
          } else {
            const why = r.ok ? `${r.value.failure}${r.value.stderr ? `: ${r.value.stderr.split('\n')[0]}` : ''}` : r.reason;
            // pilot-agent reports an unsuccessful status; answer 503 so readiness reads "not ready", others fail.
            res.writeHead(/unsuccessful status code (\d{3})/.test(why) ? Number(/unsuccessful status code (\d{3})/.exec(why)![1]) : 502, { 'content-type': 'text/plain' });
            res.end(`exec pilot-agent request GET ${path}: ${why}\n`);
          }
        });
      });
      servers.push(srv);
      const p = await listen(srv);
      local.set(ADMIN_PORT, p);
      local.set(AGENT_PORT, p);
      sources.push({ name: 'sidecar access', status: 'ok', detail: `exec "pilot-agent request GET <path>" in pod/${pod} container istio-proxy (port-forward did not work: ${pf.reason})` });
    } else {
      mode = 'none';
      if (ex.ok === false && ex.kind === 'forbidden') denied.push({ verb: 'create', resource: 'pods/exec', namespace: ns, name: pod });
      const access: SourceRecord = { name: 'sidecar access', status: 'unavailable', reason: `port-forward: ${pf.reason}; exec: ${ex.ok ? `${ex.value.failure}${ex.value.stderr ? ` (${ex.value.stderr.split('\n')[0]})` : ''}` : ex.reason}` };
      // Cut short (no answer within the cap or the deadline) rather than refused: say so, and what it keeps unjudged.
      sources.push((pf.kind === 'timeout' || (!ex.ok && ex.kind === 'timeout')) && !(pf.kind === 'forbidden' || (!ex.ok && ex.kind === 'forbidden')) ? timedOut(access, "everything the pod's istio-proxy holds (its served chain, trust bundle, /certs and ssl.* counters)") : access);
    }
  }

  const dispatcher = new Agent({
    keepAliveTimeout: 1000,
    headersTimeout: api.timeoutMs,
    bodyTimeout: api.timeoutMs,
    connect: (opts, cb) => {
      const port = Number(opts.port) || ADMIN_PORT;
      const to = local.get(port);
      if (to === undefined) {
        const e = Object.assign(new Error(`connect ECONNREFUSED ${opts.hostname}:${port}`), { code: 'ECONNREFUSED' });
        return void cb(e, null);
      }
      const s = netConnect({ host: '127.0.0.1', port: to });
      track(s);
      s.once('connect', () => cb(null, s));
      s.once('error', (e) => cb(e, null));
    },
  }).compose((dispatch) => (opts, handler) => {
    // The exec shim is one HTTP server for both pod ports: tell it which one was asked for.
    if (mode === 'exec') {
      const url = new URL(String(opts.origin));
      const headers = { ...((opts.headers as Record<string, string>) ?? {}), 'x-pod-port': url.port || String(ADMIN_PORT) };
      return dispatch({ ...opts, headers }, handler);
    }
    return dispatch(opts, handler);
  });

  const host = `${pod}.${ns}`;
  return {
    adminUrl: `http://${host}:${ADMIN_PORT}`,
    agentUrl: `http://${host}:${AGENT_PORT}`,
    dispatcher,
    mode,
    sources,
    denied,
    async close() {
      await (dispatcher as unknown as { close(): Promise<void> }).close?.().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What a sidecar serves and trusts, alone: its Envoy admin secrets dump (the `default` chain and the `ROOTCA`
// bundle in one answer) over ONE port-forward stream, or exec `pilot-agent request GET` when port-forward is
// refused — the same two ways as the bridge above, without its listeners. `scan` reads every pod with it; the
// bridge serves a whole proxy collection (stats, /certs, pilot-agent) of one pod.

export const SECRETS_PATH = '/config_dump?resource=dynamic_active_secrets';
/** Envoy's own metrics in Prometheus text, Istio's standard metrics among them (`scan --what-if`). */
export const PROMETHEUS_PATH = '/stats/prometheus';
export const MAX_DUMP_BYTES = 32 * 1024 * 1024;

/** Two cross-wired in-memory duplexes: what one side writes, the other reads (Node 20 has no stream.duplexPair). */
function duplexPair(): [Duplex, Duplex] {
  let a: Duplex;
  let b: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (!p.destroyed) p.destroy(err ?? undefined);
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

/** GET over one port-forward stream, bounded in size and time. */
async function getOverPortForward(api: KubeApi, ns: string, pod: string, signal: AbortSignal, path = SECRETS_PATH): Promise<string> {
  const [local, remote] = duplexPair();
  // Errors reach the request below; a stream torn down by the timeout's abort must not surface as unhandled.
  local.on('error', () => {});
  remote.on('error', () => {});
  const pf = await api.portForward(ns, pod, ADMIN_PORT, remote, remote);
  if (!pf.ok) {
    local.destroy();
    throw Object.assign(new Error(pf.reason), { kind: pf.kind });
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ADMIN_PORT, path, method: 'GET', createConnection: () => local as never, signal, headers: { connection: 'close' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_DUMP_BYTES) {
            req.destroy(new Error(`the Envoy admin answer is over ${MAX_DUMP_BYTES / 1024 / 1024} MiB`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`the Envoy admin answered HTTP ${res.statusCode} to ${path}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    pf.value.close();
    local.destroy();
  }
}

/**
 * A pod's Envoy admin `config_dump?resource=dynamic_active_secrets` (what it serves and trusts), as JSON text:
 * one port-forward stream to :15000, or, when port-forward is forbidden, the same path through pilot-agent in the
 * istio-proxy container. Throws with a one-line reason (forbidden, timeout via `signal`, HTTP status, size).
 */
export async function readSidecarSecrets(api: KubeApi, ns: string, pod: string, signal: AbortSignal, path = SECRETS_PATH): Promise<string> {
  try {
    return await getOverPortForward(api, ns, pod, signal, path);
  } catch (e) {
    if ((e as { kind?: string }).kind !== 'forbidden') throw e;
    const ex = await api.exec(ns, pod, 'istio-proxy', ['pilot-agent', 'request', 'GET', path], MAX_DUMP_BYTES);
    if (!ex.ok) throw new Error(`${(e as Error).message}; exec fallback: ${ex.reason}`);
    if (ex.value.failure) throw new Error(`pilot-agent request failed: ${ex.value.failure}`);
    return ex.value.stdout;
  }
}
