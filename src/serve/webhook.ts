/**
 * `POST /v1/diagnoses` and `GET /v1/diagnoses/{id}`: the library's request as JSON with a bearer token. The
 * answer is the report (200) when the diagnosis ends within `limits.syncWaitSeconds`, else 202 with an id to poll;
 * answers are kept in a job store for 15 minutes (at most 10,000 and JOB_STORE_BYTES of them), each visible to the
 * token that asked only.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerKey, tokenGrant, type Grant } from './authz.js';
import type { ServeConfig } from './config.js';
import type { ServeDeps } from './deps.js';
import { ServeError, errorCodeOf, httpStatusFor, publicMessage } from './errors.js';
import { header, jsonBody, readBody, sendError, sendJson, sendJsonBody, sleep, type BodyBudget } from './http.js';
import type { RateLimiter, WorkQueue } from './limits.js';
import { parseWebhookRequest } from './request.js';
import type { Audit, Runner } from './runner.js';

export const JOB_TTL_MS = 15 * 60 * 1000;
export const MAX_JOBS = 10_000;
/**
 * The answers kept for polling, all together: a report's size depends on its evidence (a cluster diagnosis
 * carries chains, stats and bundles), so 10,000 of them are bounded in bytes too. Past it, the oldest answers go
 * first (a poll for one is a 404, as past its 15 minutes).
 */
export const JOB_STORE_BYTES = 32 * 1024 * 1024;
/** What a failed job's answer is counted as (its error code and one-line message). */
const FAILED_JOB_BYTES = 512;

/** One diagnosis asked for over the webhook, from its start until its answer expires. */
export interface Job {
  id: string;
  /** The caller that may read it (callerKey). */
  owner: string;
  state: 'running' | 'done' | 'failed';
  /** The report as the answer's body (jsonBody: JSON, redacted), made once when the diagnosis ends. */
  body?: string;
  error?: unknown;
  done: Promise<void>;
  finishedAt?: number;
  /** What the answer counts against JOB_STORE_BYTES (set when it ends). */
  bytes?: number;
}

/** The answers of the webhook's diagnoses: kept for 15 minutes after they end, at most 10,000 and 32 MiB of them (oldest out first). */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private held = 0;

  constructor(
    private readonly now: () => number,
    private readonly bounds: { maxJobs: number; maxBytes: number } = { maxJobs: MAX_JOBS, maxBytes: JOB_STORE_BYTES },
  ) {}

  /** The bytes of the answers kept. */
  get bytes(): number {
    return this.held;
  }
  get size(): number {
    return this.jobs.size;
  }

  remember(job: Job): void {
    const now = this.now();
    for (const [id, j] of this.jobs) if (j.finishedAt !== undefined && now - j.finishedAt > JOB_TTL_MS) this.forget(id);
    while (this.jobs.size >= this.bounds.maxJobs) this.forget(this.jobs.keys().next().value!);
    this.jobs.set(job.id, job);
  }

  /** A job's answer is ready: it counts `bytes`, and the oldest ended answers go while the store holds more than its bound. */
  settled(job: Job, bytes: number): void {
    if (this.jobs.get(job.id) !== job) return; // already pushed out while it ran
    job.bytes = bytes;
    this.held += bytes;
    for (const [id, j] of this.jobs) {
      if (this.held <= this.bounds.maxBytes) break;
      if (j !== job && j.bytes !== undefined) this.forget(id);
    }
  }

  /** The job `id` when `owner` asked for it; another caller's job is as unknown as one that does not exist. */
  find(id: string, owner: string): Job | undefined {
    const job = this.jobs.get(id);
    return job && job.owner === owner ? job : undefined;
  }

  private forget(id: string): void {
    this.held -= this.jobs.get(id)?.bytes ?? 0;
    this.jobs.delete(id);
  }
}

export interface Webhook {
  /** POST /v1/diagnoses; true when the answer is a 202 (the request's audit line is then written when the diagnosis ends). */
  diagnose(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<boolean>;
  /** GET /v1/diagnoses/{id}. */
  poll(req: IncomingMessage, res: ServerResponse, id: string, audit: Audit): void;
}

export function createWebhook(o: { config: ServeConfig; deps: ServeDeps; runner: Runner; queue: WorkQueue; rate: RateLimiter; bodies: BodyBudget }): Webhook {
  const { config, deps, runner, queue, rate, bodies } = o;
  const jobs = new JobStore(deps.now);

  const grantFor = (req: IncomingMessage): Grant => tokenGrant(config.tokens, header(req, 'authorization'));

  function answerJob(res: ServerResponse, job: Job, audit: Audit): void {
    if (job.state === 'running') return sendJson(res, 202, { id: job.id, status: 'running', poll: `/v1/diagnoses/${job.id}` });
    if (job.state === 'done') {
      audit.outcome = 'answered';
      return sendJsonBody(res, 200, job.body!);
    }
    runner.refused(job.error, audit);
    audit.outcome = 'failed';
    return sendError(res, job.error);
  }

  return {
    async diagnose(req, res, audit) {
      const grant = grantFor(req);
      audit.caller = grant.caller;
      audit.rule = grant.rule;
      rate.take(callerKey(grant.caller), deps.now());
      queue.assertRoom();
      if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '')) throw new ServeError('E_BAD_REQUEST', 'Cannot read the request: send Content-Type: application/json');
      const body = await readBody(req, config.limits.bodyBytes, bodies);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ServeError('E_BAD_REQUEST', 'Cannot read the request: the body is not valid JSON');
      }
      const input = parseWebhookRequest(json);
      Object.assign(audit, { target: input.target, namespace: input.namespace, peer: input.peer });
      const { work } = await runner.prepareAndRun(grant, input, audit);
      const job: Job = { id: randomUUID(), owner: callerKey(grant.caller), state: 'running', done: Promise.resolve() };
      audit.id = job.id;
      job.done = work
        .then(
          (report) => {
            job.state = 'done';
            // Kept as the answer's text, not as the report's objects: smaller, and its size is known.
            job.body = jsonBody(report);
            audit.verdict = report.verdict;
          },
          (e) => {
            job.state = 'failed';
            job.error = e;
            audit.error = errorCodeOf(e);
            audit.message = publicMessage(e);
          },
        )
        .finally(() => {
          job.finishedAt = deps.now();
          jobs.settled(job, job.body !== undefined ? job.body.length : FAILED_JOB_BYTES);
        });
      jobs.remember(job);
      const inTime = await Promise.race([job.done.then(() => true), sleep(config.limits.syncWaitSeconds * 1000).then(() => false)]);
      if (inTime) {
        answerJob(res, job, audit);
        return false;
      }
      res.setHeader('location', `/v1/diagnoses/${job.id}`);
      sendJson(res, 202, { id: job.id, status: 'running', poll: `/v1/diagnoses/${job.id}` });
      // The request's one audit line is written when its diagnosis ends.
      runner.track(
        job.done.then(() => {
          audit.outcome = job.state === 'done' ? 'answered (polled)' : 'failed';
          audit.status = job.state === 'done' ? 200 : httpStatusFor(job.error);
          runner.finishAudit(audit);
        }),
      );
      return true;
    },

    poll(req, res, id, audit) {
      const grant = grantFor(req);
      audit.caller = grant.caller;
      audit.id = id;
      const job = jobs.find(id, callerKey(grant.caller));
      if (!job) throw new ServeError('E_NOT_FOUND', `No diagnosis ${id} for this token (answers are kept for 15 minutes)`);
      answerJob(res, job, audit);
      audit.outcome ??= job.state;
    },
  };
}
