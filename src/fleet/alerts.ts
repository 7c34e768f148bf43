/**
 * `mtls-doctor alerts`: a Prometheus rule pack with per-level thresholds. It alerts on the scan's metrics
 * (every CA level, drift, rotation order), on pilot-agent's own workload gauge
 * (`istio_agent_cert_expiry_seconds`: seconds left, negative once expired — envoy-istio-formats.md §4), and on
 * istiod's CA gauges (`citadel_server_root_cert_expiry_timestamp`, `citadel_server_cert_chain_expiry_timestamp`;
 * istio#54828: they may not update after an intermediate rotation, so the scan's metrics are the cross-check).
 * Thresholds are the diagnosis's own (`--thresholds FILE` changes both).
 */
import { DEFAULT_THRESHOLDS, type Thresholds } from '../model/thresholds.js';
import { METRICS } from './metrics.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  description: string;
  runbook: string;
}

const DAY = 86_400;
const RUNBOOK = 'mtls-doctor rules';

/** The rules, as data (the YAML below is rendered from them; tests read both). */
export function alertRules(t: Thresholds = DEFAULT_THRESHOLDS, leafTtlHours = 24): AlertRule[] {
  const left = (level: string) => `(${METRICS.expiry}{level="${level}"} - time())`;
  // A 24 h Istio leaf is re-signed at half-life: well under a quarter of its life left means rotation is stuck.
  const stalled = Math.round(leafTtlHours * 3600 * t.leaf.warnFraction);
  const critical = Math.round(leafTtlHours * 3600 * t.leaf.criticalFraction);
  const ca = (level: 'intermediate' | 'root', name: string): AlertRule[] => [
    {
      alert: `Mesh${name}CertificateExpiringSoon`,
      expr: `${left(level)} < ${t[level].warnDays * DAY} and ${left(level)} >= ${t[level].criticalDays * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: `A mesh ${level} CA expires within ${t[level].warnDays} days`,
      description: `{{ $labels.subject }} (serial {{ $labels.serial }}) expires in {{ $value | humanizeDuration }}. Every leaf under it fails when it does. Plan the renewal: mtls-doctor rotation plan -A`,
      runbook: `${RUNBOOK} expiry/${level}-expiring`,
    },
    {
      alert: `Mesh${name}CertificateExpiryCritical`,
      expr: `${left(level)} < ${t[level].criticalDays * DAY} and ${left(level)} > 0`,
      for: '10m',
      severity: 'critical',
      summary: `A mesh ${level} CA expires within ${t[level].criticalDays} days`,
      description: `{{ $labels.subject }} (serial {{ $labels.serial }}) expires in {{ $value | humanizeDuration }}: renew it now (mtls-doctor rotation plan -A).`,
      runbook: `${RUNBOOK} expiry/${level}-expiring`,
    },
  ];
  return [
    {
      alert: 'MeshCertificateExpired',
      expr: `${METRICS.expiry} - time() <= 0`,
      for: '0m',
      severity: 'critical',
      summary: 'A certificate the mesh uses has expired',
      description: '{{ $labels.level }} {{ $labels.subject }} (serial {{ $labels.serial }}) is past its notAfter: handshakes that chain through it fail now. mtls-doctor scan -A',
      runbook: `${RUNBOOK} expiry/intermediate-expired`,
    },
    ...ca('intermediate', 'Intermediate'),
    ...ca('root', 'Root'),
    {
      alert: 'WorkloadCertificateRotationStalled',
      expr: `istio_agent_cert_expiry_seconds{resource_name="default"} < ${stalled} and istio_agent_cert_expiry_seconds{resource_name="default"} >= ${critical}`,
      for: '15m',
      severity: 'warning',
      summary: 'A workload certificate is not being rotated',
      description: `{{ $labels.namespace }}/{{ $labels.pod }} has {{ $value | humanizeDuration }} left on its workload certificate; pilot-agent rotates at half-life, so it should never fall below ${Math.round(stalled / 3600)} h. mtls-doctor diagnose pod/{{ $labels.pod }} -n {{ $labels.namespace }}`,
      runbook: `${RUNBOOK} expiry/rotation-stalled`,
    },
    {
      alert: 'WorkloadCertificateExpiryCritical',
      expr: `istio_agent_cert_expiry_seconds{resource_name="default"} < ${critical}`,
      for: '5m',
      severity: 'critical',
      summary: 'A workload certificate is about to expire (or has)',
      description: '{{ $labels.namespace }}/{{ $labels.pod }}: {{ $value | humanizeDuration }} left (negative: expired). mtls-doctor diagnose pod/{{ $labels.pod }} -n {{ $labels.namespace }}',
      runbook: `${RUNBOOK} expiry/leaf-expiring`,
    },
    {
      alert: 'IstiodRootCertificateExpiringSoon',
      expr: `(citadel_server_root_cert_expiry_timestamp - time()) < ${t.root.warnDays * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: `istiod's root certificate expires within ${t.root.warnDays} days`,
      description: 'istiod reports its root expires in {{ $value | humanizeDuration }}. mtls-doctor rotation plan -A',
      runbook: `${RUNBOOK} expiry/root-expiring`,
    },
    {
      alert: 'IstiodCertificateChainExpiringSoon',
      expr: `(citadel_server_cert_chain_expiry_timestamp - time()) < ${t.intermediate.warnDays * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: `istiod's CA certificate chain expires within ${t.intermediate.warnDays} days`,
      description: "istiod's signing chain expires in {{ $value | humanizeDuration }} (istio#54828: this gauge may be stale after a rotation; compare mtls_doctor_cert_expiry_timestamp_seconds).",
      runbook: `${RUNBOOK} expiry/intermediate-expiring`,
    },
    {
      alert: 'MeshCaRotationOrderViolation',
      expr: `${METRICS.violations} > 0`,
      for: '0m',
      severity: 'critical',
      summary: 'A CA rotation step was taken out of order',
      description: '{{ $value }} pod(s) reject live leaves: the CA issues from a root they do not trust yet, or a root was removed while leaves still chain to it. mtls-doctor rotation status -A',
      runbook: `${RUNBOOK} chain/rotation-order-violation`,
    },
    {
      alert: 'MeshTrustBundleDrift',
      expr: `${METRICS.drift} > 0`,
      for: '1h',
      severity: 'warning',
      summary: 'Pods trust different roots',
      description: '{{ $value }} pod(s) hold a trust bundle that differs from the majority or from their namespace istio-ca-root-cert. mtls-doctor scan -A',
      runbook: `${RUNBOOK} policy/root-configmap-stale`,
    },
    {
      alert: 'MtlsDoctorScanPodsFailing',
      expr: `${METRICS.pods}{status="failed"} > 0`,
      for: '2h',
      severity: 'info',
      summary: 'The fleet scan cannot read some pods',
      description: '{{ $value }} pod(s) could not be read by the last scans (RBAC, timeouts, no sidecar). mtls-doctor scan -A -o json | jq \'.pods[] | select(.status=="failed")\'',
      runbook: 'mtls-doctor scan --help',
    },
  ];
}

const q = (s: string) => JSON.stringify(s);

/** The rule pack as a Prometheus rule file (YAML); strings are JSON-quoted, which YAML reads as they are. */
export function renderAlertRules(rules: AlertRule[] = alertRules()): string {
  const lines = ['# mtls-doctor alert pack: generated by `mtls-doctor alerts`; thresholds as in `mtls-doctor diagnose`.', 'groups:', '  - name: mtls-doctor', '    rules:'];
  for (const r of rules) {
    lines.push(
      `      - alert: ${r.alert}`,
      `        expr: ${q(r.expr)}`,
      `        for: ${r.for}`,
      '        labels:',
      `          severity: ${r.severity}`,
      '        annotations:',
      `          summary: ${q(r.summary)}`,
      `          description: ${q(r.description)}`,
      `          runbook: ${q(r.runbook)}`,
    );
  }
  return lines.join('\n') + '\n';
}
