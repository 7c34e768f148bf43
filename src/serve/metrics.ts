/**
 * GET /metrics (Prometheus text format, prom-client): requests by route and status, diagnoses by verdict,
 * findings by rule, durations, the queue, and the process metrics. One registry per server (not the global one),
 * so tests and several servers in one process do not share counters. Label values are fixed sets (route names,
 * verdicts, rule ids), never caller input.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'status'>;
  requestSeconds: Histogram<'route'>;
  diagnoses: Counter<'kind' | 'verdict'>;
  findings: Counter<'rule' | 'severity'>;
  /** Explains by the signal the pasted text proves: never counted as findings (their candidates are hypotheses). */
  explains: Counter<'signal'>;
  diagnosisSeconds: Histogram<'kind'>;
  refusals: Counter<'reason'>;
  slackPosts: Counter<'outcome'>;
  /** The --scan-interval exporter: scans by outcome, and when the last good one ended (the fleet gauges' age). */
  scans: Counter<'outcome'>;
  scanLastSuccess: Gauge;
}

export function createMetrics(o: { queue: () => number; active: () => number; abandoned: () => number; defaults?: boolean }): ServeMetrics {
  const registry = new Registry();
  if (o.defaults !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'mtls_doctor_serve_' });
    // Three of prom-client's defaults are gauges named *_total, which `promtool check metrics` rejects; the same
    // counts stay, by type, in nodejs_active_handles / _requests / _resources.
    for (const kind of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`mtls_doctor_serve_nodejs_active_${kind}_total`);
  }
  const registers = [registry];
  const m: ServeMetrics = {
    registry,
    requests: new Counter({ name: 'mtls_doctor_serve_requests_total', help: 'HTTP requests by route and status code', labelNames: ['route', 'status'], registers }),
    requestSeconds: new Histogram({ name: 'mtls_doctor_serve_request_duration_seconds', help: 'Time to answer an HTTP request (for Slack: the acknowledgement)', labelNames: ['route'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    diagnoses: new Counter({ name: 'mtls_doctor_serve_diagnoses_total', help: 'Diagnoses and explains run, by verdict (error: it failed)', labelNames: ['kind', 'verdict'], registers }),
    findings: new Counter({ name: 'mtls_doctor_serve_findings_total', help: 'Findings reported, by rule and severity (diagnoses only: explain candidates are hypotheses)', labelNames: ['rule', 'severity'], registers }),
    explains: new Counter({ name: 'mtls_doctor_serve_explains_total', help: 'Pasted errors explained, by the signal the text proves (unrecognised: none)', labelNames: ['signal'], registers }),
    diagnosisSeconds: new Histogram({ name: 'mtls_doctor_serve_diagnosis_duration_seconds', help: 'Time a diagnosis took, from start of work to report', labelNames: ['kind'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers }),
    refusals: new Counter({ name: 'mtls_doctor_serve_refusals_total', help: 'Requests refused, by reason (error code)', labelNames: ['reason'], registers }),
    slackPosts: new Counter({ name: 'mtls_doctor_serve_slack_posts_total', help: 'Posts to Slack response_url, by outcome', labelNames: ['outcome'], registers }),
    scans: new Counter({ name: 'mtls_doctor_serve_fleet_scans_total', help: 'Fleet scans of --scan-interval, by outcome (ok, failed)', labelNames: ['outcome'], registers }),
    scanLastSuccess: new Gauge({ name: 'mtls_doctor_serve_fleet_scan_last_success_timestamp_seconds', help: 'When the last good fleet scan of --scan-interval ended (Unix time; 0: none yet): the age of the mtls_doctor_* fleet gauges', registers }),
  };
  new Gauge({ name: 'mtls_doctor_serve_queue_depth', help: 'Diagnoses waiting for a worker', registers, collect() { this.set(o.queue()); } });
  new Gauge({ name: 'mtls_doctor_serve_diagnoses_running', help: 'Diagnoses running now', registers, collect() { this.set(o.active()); } });
  new Gauge({ name: 'mtls_doctor_serve_diagnoses_abandoned', help: 'Diagnoses answered at their deadline whose work has not stopped yet', registers, collect() { this.set(o.abandoned()); } });
  return m;
}
