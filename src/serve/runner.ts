/**
 * The step both faces of `serve` share: prepare a request (authorise it, refuse what this build cannot do, check
 * and pin the peer), then run it through the work queue — timed, counted in the metrics, and tracked so that
 * draining waits for it. The Slack flow and the webhook differ only in how they answer.
 */
import type { Report } from '../report/types.js';
import type { Grant } from './authz.js';
import type { ServeConfig } from './config.js';
import type { ServeDeps } from './deps.js';
import { ServeError, errorCodeOf, httpStatusFor, publicMessage } from './errors.js';
import type { JobContext, WorkQueue } from './limits.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';
import { pinnedTransport } from './peer-guard.js';
import { prepareDiagnosis, type Prepared, type ServeDiagnoseRequest } from './request.js';

/** Audit fields gathered while a request is handled; written once when its outcome is known. */
export type Audit = Record<string, unknown>;

export interface Runner {
  /** Work in flight: draining waits for it. */
  readonly pending: ReadonlySet<Promise<unknown>>;
  /** Keeps `p` in `pending` until it settles. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Runs work through the queue (E_BUSY at once when full), timing it and counting its outcome in the metrics. */
  queued<T>(kind: string, work: (ctx: JobContext) => Promise<T>, count: (value: T) => void): Promise<T>;
  /**
   * Prepares a diagnosis (src/serve/request.ts) and queues it: the prepared request, and its report to come.
   * Throws what preparing refuses, and E_BUSY at once when the queue is full.
   */
  prepareAndRun(grant: Grant, input: ServeDiagnoseRequest, audit: Audit): Promise<{ prepared: Prepared; work: Promise<Report> }>;
  /** Counts a report's verdict and findings. */
  countReport(kind: string, report: Report): void;
  /** Counts and audits a refusal (and logs an unexpected failure). */
  refused(e: unknown, audit: Audit): void;
  /** Writes the request's one audit line. */
  finishAudit(audit: Audit): void;
}

export function createRunner(o: { config: ServeConfig; deps: ServeDeps; queue: WorkQueue; metrics: ServeMetrics; logger: Logger }): Runner {
  const { config, deps, queue, metrics, logger } = o;
  const pending = new Set<Promise<unknown>>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

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

  function countReport(kind: string, report: Report): void {
    metrics.diagnoses.inc({ kind, verdict: report.verdict });
    // An explain proves a signal and guesses at causes: count the signal, never the guesses as findings.
    if (report.proves) {
      metrics.explains.inc({ signal: report.proves.signals[0] ?? 'unrecognised' });
      return;
    }
    for (const f of report.findings) metrics.findings.inc({ rule: f.rule, severity: f.severity });
  }

  /** Runs a prepared diagnosis through the queue. */
  function run(prepared: Prepared): Promise<Report> {
    const kind = prepared.request.target ? 'cluster' : prepared.request.peer ? 'peer' : 'certificates';
    const transport = prepared.pin ? pinnedTransport(prepared.pin) : null;
    return queued(kind, ({ signal }) => deps.diagnose(prepared.request, { signal, impersonate: prepared.impersonate, peerName: prepared.peerName, transport }), (report) => countReport(kind, report));
  }

  return {
    pending,
    track,
    queued,
    countReport,
    async prepareAndRun(grant, input, audit) {
      const prepared = await prepareDiagnosis(grant, input, { config, resolve: deps.resolve, cluster: deps.cluster });
      audit.what = prepared.label;
      return { prepared, work: run(prepared) };
    },
    refused(e, audit) {
      metrics.refusals.inc({ reason: errorCodeOf(e) });
      audit.outcome = 'refused';
      audit.error = errorCodeOf(e);
      audit.message = publicMessage(e);
      if (e instanceof ServeError && e.rule) audit.rule = e.rule;
      if (!(e instanceof ServeError) && httpStatusFor(e) >= 500) logger.log('error', 'request failed', { error: String((e as Error)?.stack ?? e) });
    },
    finishAudit(audit) {
      logger.audit(audit);
    },
  };
}
