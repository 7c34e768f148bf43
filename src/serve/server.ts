/**
 * `mtls-doctor serve`: node:http, no framework. Routes:
 *   POST /slack/commands      Slack slash command (v0-signed), acknowledged at once, answered on response_url
 *   POST /v1/diagnoses        the library's request as JSON (bearer token); 200 + report, or 202 + id past a few seconds
 *   GET  /v1/diagnoses/{id}   the answer of a 202
 *   GET  /healthz /readyz /metrics
 * The server parses, authorises, calls diagnose()/explain(), renders and maps to a status: nothing else. Its parts:
 * this file routes and drains; slack-flow.ts answers Slack, webhook.ts the webhook and its job store, and
 * runner.ts is the step they share (prepare, then run queued); http.ts reads bodies and sends answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetExporter } from './exporter.js';
import { exporterImpersonation } from './authz.js';
import type { ServeConfig } from './config.js';
import type { ServeDeps } from './deps.js';
import { ServeError } from './errors.js';
import { BODY_BYTES_IN_FLIGHT, BodyBudget, sendError, sendJson, sleep } from './http.js';
import { RateLimiter, WorkQueue } from './limits.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import { createRunner, type Audit } from './runner.js';
import { createSlackFlow } from './slack-flow.js';
import { createWebhook } from './webhook.js';

/** Connections open at once (nginx's default worker_connections); docs/chat.md#memory-under-a-flood. */
export const MAX_CONNECTIONS = 1024;

type Route = 'slack' | 'diagnoses' | 'diagnosis' | 'healthz' | 'readyz' | 'metrics' | 'other';

export interface ServeHandle {
  server: Server;
  metrics: ServeMetrics;
  queue: WorkQueue;
  /** The --scan-interval exporter (null without it). */
  exporter: FleetExporter | null;
  /** The address it listens on (after listen()). */
  url(): string;
  listen(host: string, port: number): Promise<void>;
  /** Stops accepting, lets running diagnoses finish (up to the deadline), then closes. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** --scan-interval: scan the fleet (config `scan`) this often, for the fleet gauges on /metrics. */
  scanIntervalSeconds?: number;
}

export function createServe(config: ServeConfig, deps: ServeDeps, options: ServeOptions = {}): ServeHandle {
  const logger: Logger = createLogger(deps.log, deps.now);
  const queue = new WorkQueue({ concurrency: config.limits.concurrency, capacity: config.limits.queue, deadlineMs: config.limits.deadlineSeconds * 1000 });
  const metrics = createMetrics({ queue: () => queue.depth, active: () => queue.active, abandoned: () => queue.abandoned });
  const rate = new RateLimiter(config.limits.perCallerPerMinute);
  const exporter = options.scanIntervalSeconds
    ? new FleetExporter({
        intervalMs: options.scanIntervalSeconds * 1000,
        request: {
          ...(config.scan.namespaces === 'all' ? { allNamespaces: true } : { namespaces: config.scan.namespaces }),
          ...(config.scan.selector ? { selector: config.scan.selector } : {}),
          readCaSecrets: config.scan.readCaSecrets,
          concurrency: config.scan.concurrency,
          podTimeoutMs: config.scan.podTimeoutSeconds * 1000,
        },
        impersonate: exporterImpersonation(config),
        scan: deps.scan,
        logger,
        metrics,
        now: deps.now,
      })
    : null;
  const runner = createRunner({ config, deps, queue, metrics, logger });
  // Bodies being received, every connection together (one body of limits.bodyBytes always fits).
  const bodies = new BodyBudget(Math.max(BODY_BYTES_IN_FLIGHT, config.limits.bodyBytes));
  const slack = createSlackFlow({ config, deps, runner, queue, rate, metrics, logger, bodies });
  const webhook = createWebhook({ config, deps, runner, queue, rate, bodies });
  let draining = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://serve.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const poll = /^\/v1\/diagnoses\/([0-9a-f-]{36})$/.exec(path);
    const route: Route =
      path === '/slack/commands' ? 'slack' : path === '/v1/diagnoses' ? 'diagnoses' : poll ? 'diagnosis' : path === '/healthz' ? 'healthz' : path === '/readyz' ? 'readyz' : path === '/metrics' ? 'metrics' : 'other';
    res.on('finish', () => {
      metrics.requests.inc({ route, status: String(res.statusCode) });
      metrics.requestSeconds.observe({ route }, (performance.now() - t0) / 1000);
    });
    const audit: Audit = { route, method, remote: req.socket.remoteAddress ?? null };
    let deferAudit = false;
    try {
      const want = route === 'slack' || route === 'diagnoses' ? 'POST' : 'GET';
      if (route === 'other') throw new ServeError('E_NOT_FOUND', `Nothing at ${path}: see POST /slack/commands, POST /v1/diagnoses, GET /healthz, /readyz, /metrics`);
      if (method !== want) {
        res.setHeader('allow', want);
        throw new ServeError('E_METHOD', `Use ${want} for ${path}`);
      }
      if (draining && (route === 'slack' || route === 'diagnoses')) throw new ServeError('E_BUSY', 'The server is shutting down; try again shortly', { retryAfter: 5 });
      switch (route) {
        case 'healthz':
          return sendJson(res, 200, { status: 'ok' });
        case 'readyz':
          return sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ready', queue: queue.depth, running: queue.active });
        case 'metrics': {
          const text = (await metrics.registry.metrics()) + (exporter ? `\n${exporter.gauges}` : '');
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
          return;
        }
        case 'slack':
          await slack.handle(req, res, audit);
          deferAudit = audit.deferred === true;
          delete audit.deferred;
          break;
        case 'diagnoses':
          deferAudit = await webhook.diagnose(req, res, audit);
          break;
        case 'diagnosis':
          webhook.poll(req, res, poll![1]!, audit);
          break;
      }
      audit.outcome ??= 'answered';
    } catch (e) {
      runner.refused(e, audit);
      sendError(res, e);
    } finally {
      if (route === 'slack' || route === 'diagnoses' || route === 'diagnosis') {
        audit.status ??= res.statusCode;
        audit.ms = Math.round(performance.now() - t0);
        if (!deferAudit) runner.finishAudit(audit);
      }
    }
  }

  const server = createServer({ requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    handle(req, res).catch((e) => {
      logger.log('error', 'unhandled', { error: String((e as Error)?.stack ?? e) });
      if (!res.headersSent) sendError(res, e);
      else res.destroy();
    });
  });
  // Open connections, bounded: each costs the server ~15 KiB of RSS inside a request, before any body (a flood of idle or slow ones is
  // otherwise bounded only by the header and request timeouts); past it, Node closes a new connection at once.
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    server,
    metrics,
    queue,
    url() {
      const a = server.address() as AddressInfo;
      return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    },
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          logger.log('info', 'listening', { address: this.url(), slack: !!config.slack, tokens: config.tokens.length, cluster: deps.cluster, scanIntervalSeconds: options.scanIntervalSeconds ?? null });
          exporter?.start();
          resolve();
        });
      });
    },
    exporter,
    async close() {
      draining = true;
      const stopped = exporter?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = sleep(config.limits.deadlineSeconds * 1000 + 2000);
      await Promise.race([Promise.allSettled([...runner.pending]), grace]);
      server.closeAllConnections();
      await Promise.all([closed, stopped]);
    },
  };
}
