/**
 * The scan as Prometheus text exposition format (0.0.4): for the node-exporter textfile collector, a CronJob
 * push, or `serve --scan-interval`. The metric names and labels are a contract (alert rules select on them):
 *
 *   mtls_doctor_cert_expiry_timestamp_seconds{level="leaf|intermediate|root",subject,serial[,namespace,workload]}
 *   mtls_doctor_scan_pods{status="ok|failed"}
 *   mtls_doctor_trust_bundle_drift_pods
 *   mtls_doctor_rotation_phase
 *   mtls_doctor_rotation_violations
 *   mtls_doctor_scan_duration_seconds
 *
 * Leaves are one series per workload (its earliest leaf), so the series count follows workloads, not pods.
 */
import { METRICS } from '../fleet/metrics.js';
import type { ScanReport } from '../fleet/types.js';

export { METRICS };

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string | undefined>) =>
  `{${Object.entries(l)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${esc(v!)}"`)
    .join(',')}}`;

export function renderPrometheus(r: ScanReport): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, samples: Array<[Record<string, string | undefined>, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of samples) out.push(`${name}${Object.keys(l).length ? labels(l) : ''} ${Number.isFinite(v) ? v : 'NaN'}`);
  };
  gauge(
    METRICS.expiry,
    'NotAfter of each distinct certificate the fleet holds, as a Unix timestamp: intermediates and roots once each, leaves the earliest per workload.',
    r.certificates.map((c) => [
      { level: c.level, subject: c.subject, serial: c.serial, ...(c.level === 'leaf' ? { namespace: c.namespace, workload: c.workload } : {}) },
      Math.floor(Date.parse(c.notAfter) / 1000),
    ]),
  );
  gauge(METRICS.pods, 'Pods the last scan read (ok) or could not read (failed).', [
    [{ status: 'ok' }, r.summary.ok],
    [{ status: 'failed' }, r.summary.failed],
  ]);
  gauge(METRICS.drift, 'Pods whose trust bundle differs from the majority or from their namespace istio-ca-root-cert.', [[{}, r.summary.driftPods]]);
  gauge(METRICS.phase, 'CA rotation phase (0 none in progress, 1-5 the step of the safe rotation in progress).', [[{}, r.rotation.phase]]);
  gauge(METRICS.violations, 'Rotation-order violations: pods that reject live leaves because a step was taken early.', [[{}, r.rotation.violations.reduce((n, v) => n + v.pods.length, 0)]]);
  if (r.durationSeconds !== undefined) gauge(METRICS.duration, 'How long the last scan took.', [[{}, r.durationSeconds]]);
  return out.join('\n') + '\n';
}
