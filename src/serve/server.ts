/**
 * `mtls-doctor serve`: node:http, no framework. Routes:
 *   POST /slack/commands      Slack slash command (v0-signed), acknowledged at once, answered on response_url
 *   POST /v1/diagnoses        the library's request as JSON (bearer token); 200 + report, or 202 + id past a few seconds
 *   GET  /v1/diagnoses/{id}   the answer of a 202
 *   GET  /healthz /readyz /metrics
 * The server parses, authorises, calls diagnose()/explain(), renders and maps to a status: nothing else.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeMrkdwn, slackFullReport, slackSummary, type SlackMessage } from '../report/slack.js';
import { scanVerdict, slackRotationStatus, slackScanFull, slackScanSummary } from '../report/slack-scan.js';
import type { Report } from '../report/types.js';
import { FleetExporter } from './exporter.js';
import { authorizeNamespace, callerKey, exporterImpersonation, impersonationFor, slackGrant, tokenGrant, type Caller, type Grant } from './authz.js';
import { CHAT_HELP, parseChatCommand, type ChatCommand } from './chat-command.js';
import type { ServeConfig } from './config.js';
import type { ServeDeps, ServeScanRequest } from './deps.js';
import { ServeError, errorCodeOf, httpStatusFor, publicMessage } from './errors.js';
import { RateLimiter, WorkQueue, type JobContext } from './limits.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import { outgoing } from './outgoing.js';
import { parseWebhookRequest, prepareDiagnosis, type Prepared, type ServeDiagnoseRequest } from './request.js';
import { pinnedTransport } from './peer-guard.js';
import { Responder } from './responder.js';
import { ReplayCache, verifySlackRequest } from './slack-signature.js';

const SLACK_BODY_BYTES = 64 * 1024;
const JOB_TTL_MS = 15 * 60 * 1000;

type Route = 'slack' | 'diagnoses' | 'diagnosis' | 'healthz' | 'readyz' | 'metrics' | 'other';

interface Job {
  id: string;
  owner: string;
  state: 'running' | 'done' | 'failed';
  report?: Report;
  error?: unknown;
  done: Promise<void>;
  finishedAt?: number;
}

/** Audit fields gathered while a request is handled; written once when its outcome is known. */
type Audit = Record<string, unknown>;

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
  const replay = new ReplayCache();
  const responder = config.slack ? new Responder({ prefix: config.slack.responseUrlPrefix, ...(deps.fetch ? { fetch: deps.fetch } : {}), now: deps.now }) : null;
  const jobs = new Map<string, Job>();
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
  const pending = new Set<Promise<unknown>>();
  let draining = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  /** Runs work through the queue (E_BUSY at once when full), timing it and counting its outcome in the metrics. */
  function queued<T>(kind: string, work: (ctx: JobContext) => Promise<T>, count: (value: T) => void): Promise<T> {
    const t0 = performance.now();
    return track(
      queue.submit(work).then(
        (value) => {
          metrics.diagnosisSeconds.observe({ kind }, (performance.now() - t0) / 1000);
          count(value);
          return value;
        },
        (e) => {
          metrics.diagnoses.inc({ kind, verdict: 'error' });
          throw e;
        },
      ),
    );
  }

  /** Runs a prepared diagnosis through the queue. */
  function run(prepared: Prepared): Promise<Report> {
    const kind = prepared.request.target ? 'cluster' : prepared.request.peer ? 'peer' : 'certificates';
    const transport = prepared.pin ? pinnedTransport(prepared.pin) : null;
    return queued(kind, ({ signal }) => deps.diagnose(prepared.request, { signal, impersonate: prepared.impersonate, peerName: prepared.peerName, transport }), (report) => countReport(kind, report));
  }

  function countReport(kind: string, report: Report): void {
    metrics.diagnoses.inc({ kind, verdict: report.verdict });
    for (const f of report.findings) metrics.findings.inc({ rule: f.rule, severity: f.severity });
  }

  function refused(e: unknown, audit: Audit): void {
    metrics.refusals.inc({ reason: errorCodeOf(e) });
    audit.outcome = 'refused';
    audit.error = errorCodeOf(e);
    audit.message = publicMessage(e);
    if (e instanceof ServeError && e.rule) audit.rule = e.rule;
    if (!(e instanceof ServeError) && httpStatusFor(e) >= 500) logger.log('error', 'request failed', { error: String((e as Error)?.stack ?? e) });
  }

  // ---------------------------------------------------------------- Slack

  async function handleSlack(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<void> {
    if (!config.slack || !responder) throw new ServeError('E_NOT_FOUND', 'Slack is not configured on this server');
    const body = await readBody(req, Math.min(config.limits.bodyBytes, SLACK_BODY_BYTES));
    // Slack checks the endpoint's certificate with ssl_check=1 (no command): answer 200 and do nothing, as Bolt does.
    if (/(?:^|&)ssl_check=1(?:&|$)/.test(body.toString('latin1')) && !/(?:^|&)command=/.test(body.toString('latin1'))) {
      audit.outcome = 'ssl_check';
      res.writeHead(200).end();
      return;
    }
    verifySlackRequest({ secret: config.slack.signingSecret, timestamp: header(req, 'x-slack-request-timestamp'), signature: header(req, 'x-slack-signature'), body, nowMs: deps.now() }, replay);
    const form = new URLSearchParams(body.toString('utf8'));
    const caller: Extract<Caller, { kind: 'slack' }> = { kind: 'slack', team: slackId(form.get('team_id')), user: slackId(form.get('user_id')), channel: slackId(form.get('channel_id')) };
    audit.caller = caller;
    const responseUrl = form.get('response_url') ?? '';
    // From here on, a refusal is an ephemeral message the user sees (Slack shows any non-200 as a bare error).
    try {
      rate.take(callerKey(caller), deps.now());
      const text = form.get('text') ?? '';
      // Shed load before parsing (the costly step of an acknowledgement) when a diagnosis could not be queued anyway.
      if (/^\s*(?:diagnose|scan|rotation)\b/i.test(text)) queue.assertRoom();
      const cmd = await parseChatCommand(text, deps.parseArgv);
      audit.command = cmd.kind;
      const answer = await slackCommand(cmd, caller, responseUrl, audit);
      if (answer.deferred) audit.deferred = true;
      sendJson(res, 200, answer.message);
    } catch (e) {
      refused(e, audit);
      sendJson(res, 200, ephemeral(`:no_entry: ${publicMessage(e)}`));
    }
  }

  async function slackCommand(cmd: ChatCommand, caller: Extract<Caller, { kind: 'slack' }>, responseUrl: string, audit: Audit): Promise<{ message: object; deferred?: boolean }> {
    if (cmd.kind === 'help') {
      audit.outcome = 'answered';
      return { message: ephemeral(CHAT_HELP) };
    }
    const grant = slackGrant(config.slack!, caller);
    audit.rule = grant.rule;
    if (cmd.kind === 'explain') {
      const report = await deps.explain(cmd.text);
      countReport('explain', report);
      audit.outcome = 'answered';
      audit.verdict = report.verdict;
      return { message: { response_type: 'in_channel', ...slackSummary(report, { title: 'explain' }) } };
    }
    if (cmd.kind === 'scan' || cmd.kind === 'rotation') return slackScan(cmd, grant, caller, responseUrl, audit);
    // diagnose
    responder!.check(responseUrl);
    const input: ServeDiagnoseRequest = { ...(cmd.target ? { target: cmd.target } : {}), ...(cmd.namespace ? { namespace: cmd.namespace } : {}), ...cmd.options };
    Object.assign(audit, { target: cmd.target, namespace: cmd.namespace, peer: cmd.options.peer });
    const prepared = await prepareDiagnosis(grant, input, { config, resolve: deps.resolve, cluster: deps.cluster });
    audit.what = prepared.label;
    const work = run(prepared); // throws E_BUSY at once when the queue is full
    track(
      answerOnSlack(work, `diagnose ${prepared.label}`, responseUrl, audit, (report) => {
        audit.verdict = report.verdict;
        return [slackSummary(report, { title: prepared.label }), slackFullReport(report, { title: prepared.label })];
      }),
    );
    return { message: ephemeral(`:stethoscope: Diagnosing ${prepared.label}… the answer will be posted here.`), deferred: true };
  }

  /** `/mtls scan -n NS` and `/mtls rotation status [-n NS]`: a fleet scan of namespaces the channel may read, as the channel. */
  async function slackScan(cmd: Extract<ChatCommand, { kind: 'scan' | 'rotation' }>, grant: Grant, caller: Caller, responseUrl: string, audit: Audit): Promise<{ message: object; deferred?: boolean }> {
    if (cmd.namespace) audit.namespace = cmd.namespace;
    if (cmd.namespace) authorizeNamespace(grant, cmd.namespace, cmd.kind === 'scan' ? 'scan' : 'read the rotation of');
    const namespaces = cmd.namespace ? [cmd.namespace] : grant.namespaces;
    if (!namespaces.length) throw new ServeError('E_FORBIDDEN', `Refused: ${grant.rule} allows no namespace`, { rule: grant.rule });
    if (!deps.cluster) throw new ServeError('E_NOT_AVAILABLE', `\`${cmd.kind === 'scan' ? 'scan' : 'rotation status'}\` needs cluster access, and this server has none (no in-cluster service account or KUBECONFIG)`);
    responder!.check(responseUrl);
    const scope = `namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}${cmd.options.selector ? ` -l ${cmd.options.selector}` : ''}`;
    const label = cmd.kind === 'scan' ? `scan ${scope}` : `rotation status (${scope})`;
    audit.what = label;
    const request: ServeScanRequest = { namespaces, ...(cmd.options.selector ? { selector: cmd.options.selector } : {}), ...(cmd.options.at ? { at: cmd.options.at } : {}) };
    const impersonate = impersonationFor(config, caller);
    const work = queued('scan', ({ signal }) => deps.scan(request, { signal, impersonate }), (report) => metrics.diagnoses.inc({ kind: 'scan', verdict: scanVerdict(report) }));
    track(
      answerOnSlack(work, cmd.kind === 'scan' ? `scan ${scope}` : `read the CA rotation of ${scope}`, responseUrl, audit, (report) => {
        audit.verdict = scanVerdict(report);
        return cmd.kind === 'scan' ? [slackScanSummary(report, { title: scope }), slackScanFull(report, { title: scope })] : [slackRotationStatus(report.rotation, { scope })];
      }),
    );
    return { message: ephemeral(`:stethoscope: ${cmd.kind === 'scan' ? 'Scanning' : 'Reading the CA rotation of'} ${scope}… the answer will be posted here.`), deferred: true };
  }

  /** The one answer of an accepted command: its messages (summary and full report), or one error message ("Could not <doing>: …"). */
  async function answerOnSlack<T>(work: Promise<T>, doing: string, url: string, audit: Audit, render: (value: T) => SlackMessage[]): Promise<void> {
    let outcome: string;
    try {
      const messages = render(await work);
      let failed: string | undefined;
      for (const m of messages) {
        const r = await responder!.post(url, { response_type: 'in_channel', ...m });
        if (!r.ok) {
          failed = r.error;
          break;
        }
      }
      outcome = failed === undefined ? 'posted' : `post failed: ${failed}`;
      metrics.slackPosts.inc({ outcome: failed === undefined ? 'ok' : 'failed' });
    } catch (e) {
      audit.error = errorCodeOf(e);
      audit.message = publicMessage(e);
      if (httpStatusFor(e) >= 500 && !(e instanceof ServeError)) logger.log('error', 'request failed', { error: String((e as Error)?.stack ?? e) });
      const a = await responder!.post(url, ephemeral(`:warning: Could not ${doing}: ${publicMessage(e)}`));
      outcome = a.ok ? 'posted error' : `post failed: ${a.error}`;
      metrics.slackPosts.inc({ outcome: a.ok ? 'ok' : 'failed' });
    }
    audit.outcome = outcome;
    finishAudit(audit);
  }

  // ---------------------------------------------------------------- webhook

  function grantFor(req: IncomingMessage): Grant {
    return tokenGrant(config.tokens, header(req, 'authorization'));
  }

  async function handleDiagnoses(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<boolean> {
    const grant = grantFor(req);
    audit.caller = grant.caller;
    audit.rule = grant.rule;
    rate.take(callerKey(grant.caller), deps.now());
    queue.assertRoom();
    if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '')) throw new ServeError('E_BAD_REQUEST', 'Cannot read the request: send Content-Type: application/json');
    const body = await readBody(req, config.limits.bodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ServeError('E_BAD_REQUEST', 'Cannot read the request: the body is not valid JSON');
    }
    const input = parseWebhookRequest(json);
    Object.assign(audit, { target: input.target, namespace: input.namespace, peer: input.peer });
    const prepared = await prepareDiagnosis(grant, input, { config, resolve: deps.resolve, cluster: deps.cluster });
    audit.what = prepared.label;
    const work = run(prepared);
    const job: Job = { id: randomUUID(), owner: callerKey(grant.caller), state: 'running', done: Promise.resolve() };
    audit.id = job.id;
    job.done = work.then(
      (report) => {
        job.state = 'done';
        job.report = report;
        audit.verdict = report.verdict;
      },
      (e) => {
        job.state = 'failed';
        job.error = e;
        audit.error = errorCodeOf(e);
        audit.message = publicMessage(e);
      },
    ).finally(() => {
      job.finishedAt = deps.now();
    });
    remember(job);
    const inTime = await Promise.race([job.done.then(() => true), sleep(config.limits.syncWaitSeconds * 1000).then(() => false)]);
    if (inTime) {
      answerJob(res, job, audit);
      return false;
    }
    res.setHeader('location', `/v1/diagnoses/${job.id}`);
    sendJson(res, 202, { id: job.id, status: 'running', poll: `/v1/diagnoses/${job.id}` });
    // The request's one audit line is written when its diagnosis ends.
    track(job.done.then(() => {
      audit.outcome = job.state === 'done' ? 'answered (polled)' : 'failed';
      audit.status = job.state === 'done' ? 200 : httpStatusFor(job.error);
      finishAudit(audit);
    }));
    return true;
  }

  function answerJob(res: ServerResponse, job: Job, audit: Audit): void {
    if (job.state === 'running') return sendJson(res, 202, { id: job.id, status: 'running', poll: `/v1/diagnoses/${job.id}` });
    if (job.state === 'done') {
      audit.outcome = 'answered';
      return sendJson(res, 200, job.report);
    }
    refused(job.error, audit);
    audit.outcome = 'failed';
    return sendError(res, job.error);
  }

  function remember(job: Job): void {
    const now = deps.now();
    for (const [id, j] of jobs) if (j.finishedAt !== undefined && now - j.finishedAt > JOB_TTL_MS) jobs.delete(id);
    const max = 10_000;
    while (jobs.size >= max) jobs.delete(jobs.keys().next().value!);
    jobs.set(job.id, job);
  }

  function handlePoll(req: IncomingMessage, res: ServerResponse, id: string, audit: Audit): void {
    const grant = grantFor(req);
    audit.caller = grant.caller;
    audit.id = id;
    const job = jobs.get(id);
    // Another caller's job is as unknown as a job that does not exist.
    if (!job || job.owner !== callerKey(grant.caller)) throw new ServeError('E_NOT_FOUND', `No diagnosis ${id} for this token (answers are kept for 15 minutes)`);
    answerJob(res, job, audit);
    audit.outcome ??= job.state;
  }

  // ---------------------------------------------------------------- plumbing

  function finishAudit(audit: Audit): void {
    logger.audit(audit);
  }

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
          await handleSlack(req, res, audit);
          deferAudit = audit.deferred === true;
          delete audit.deferred;
          break;
        case 'diagnoses':
          deferAudit = await handleDiagnoses(req, res, audit);
          break;
        case 'diagnosis':
          handlePoll(req, res, poll![1]!, audit);
          break;
      }
      audit.outcome ??= 'answered';
    } catch (e) {
      refused(e, audit);
      sendError(res, e);
    } finally {
      if (route === 'slack' || route === 'diagnoses' || route === 'diagnosis') {
        audit.status ??= res.statusCode;
        audit.ms = Math.round(performance.now() - t0);
        if (!deferAudit) finishAudit(audit);
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
      await Promise.race([Promise.allSettled([...pending]), grace]);
      server.closeAllConnections();
      await Promise.all([closed, stopped]);
    },
  };
}

// ------------------------------------------------------------------ helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
/** A message only the caller sees. Its text is mrkdwn, escaped whole: what it echoes (a command, a name) cannot mention @channel or forge a link. */
const ephemeral = (text: string) => ({ response_type: 'ephemeral', text: escapeMrkdwn(text) });

/** A Slack id as it is used in rules and logs (team, user, channel): anything else becomes "?" and matches no rule. */
function slackId(v: string | null): string {
  return v && /^[A-Z0-9]{1,32}$/.test(v) ? v : '?';
}

/**
 * Bodies over the limit up to this much further are read and thrown away, so that the connection stays usable:
 * closing it instead makes the client reconnect, which under load costs seconds (measured by bench:serve).
 * Anything larger is not read: the answer says Connection: close and the socket is closed after it.
 */
const DRAIN_BYTES = 1024 * 1024;
const closeAfterAnswer = new WeakSet<IncomingMessage>();

/** Discards what is left of a body that is over the limit; marks the request for closing when that is too much. */
function discard(req: IncomingMessage, alreadyRead: number, limit: number): void {
  let seen = alreadyRead;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > limit + DRAIN_BYTES && !closeAfterAnswer.has(req)) {
      closeAfterAnswer.add(req);
      req.pause();
    }
  });
  req.resume();
}

/** Reads a body up to `limit` bytes; E_TOO_LARGE as soon as Content-Length or the bytes read say it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    if (declared > limit + DRAIN_BYTES) closeAfterAnswer.add(req);
    else discard(req, 0, limit);
    return Promise.reject(new ServeError('E_TOO_LARGE', `The body is ${declared} bytes, more than the ${limit}-byte limit (limits.bodyBytes)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        discard(req, size, limit);
        reject(new ServeError('E_TOO_LARGE', `The body is more than the ${limit}-byte limit (limits.bodyBytes)`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    req.on('error', (e) => {
      if (!done) reject(new ServeError('E_BAD_REQUEST', `Cannot read the body: ${e.message}`));
      done = true;
    });
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(outgoing(value));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function sendError(res: ServerResponse, e: unknown): void {
  const status = httpStatusFor(e);
  // A refusal sent before a large body was read: do not read megabytes only to throw them away.
  if (!res.req.complete && Number(header(res.req, 'content-length') ?? 0) > DRAIN_BYTES) closeAfterAnswer.add(res.req);
  if (closeAfterAnswer.has(res.req)) {
    res.shouldKeepAlive = false;
    res.setHeader('connection', 'close');
    res.on('finish', () => res.req.socket.destroySoon());
  }
  if (e instanceof ServeError && e.retryAfter !== undefined) res.setHeader('retry-after', String(e.retryAfter));
  if (e instanceof ServeError && e.code === 'E_UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, status, { error: { code: errorCodeOf(e), message: publicMessage(e), ...(e instanceof ServeError && e.rule ? { rule: e.rule } : {}) } });
}
