/**
 * The alert pack against the real promtool (Debian's prometheus package; .ci/run installs it): `check rules`,
 * and `test rules` with sample series for every alert, firing and not firing. Expected annotations are the
 * rule's templates expanded here the way Prometheus expands them (humanizeDuration as in
 * prometheus/template/template.go), so a wrong expression, threshold or label fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertRules, renderAlertRules, type AlertRule } from '../../src/fleet/alerts.js';
import { resolveThresholds } from '../../src/model/thresholds.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.CI === 'true') throw new Error('promtool is missing under CI=true: .ci/run must install Debian\'s prometheus package');
const dir = mkdtempSync(join(tmpdir(), 'mtls-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400;
/** Prometheus' humanizeDuration (template.go), for the expected annotations. */
function humanizeDuration(v: number): string {
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const d = Math.trunc(Math.abs(v));
    const [s, m, h, days] = [d % 60, Math.trunc(d / 60) % 60, Math.trunc(d / 3600) % 24, Math.trunc(d / 86400)];
    if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${Number(Math.abs(v).toPrecision(4))}s`;
  }
  throw new Error('sub-second durations are not used here');
}
const expand = (tpl: string, labels: Record<string, string>, value: number) =>
  tpl
    .replace(/\{\{ \$value \| humanizeDuration \}\}/g, humanizeDuration(value))
    .replace(/\{\{ \$value \}\}/g, String(value))
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');

interface Case {
  alert: string;
  series: string;
  labels: Record<string, string>;
  /** The constant sample value. */
  value: number;
  /** Whether the alert's value is the series minus time() (the expiry timestamps) or the series itself. */
  relative: boolean;
  fires: boolean;
}

const EVAL = 3 * 3600; // evaluate 3 h in, past every `for:`
const exp = (lvl: string, subject = 'O=cluster.local, CN=Mesh CA', serial = '1A2B') => ({ level: lvl, subject, serial });
const agent = { resource_name: 'default', namespace: 'shop', pod: 'cart-7f9c' };
const cases: Case[] = [
  { alert: 'MeshCertificateExpired', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('intermediate'), value: 3600, relative: true, fires: true },
  { alert: 'MeshCertificateExpired', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 400 * DAY, relative: true, fires: false },
  { alert: 'MeshIntermediateCertificateExpiringSoon', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('intermediate'), value: 20 * DAY, relative: true, fires: true },
  { alert: 'MeshIntermediateCertificateExpiringSoon', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('intermediate'), value: 45 * DAY, relative: true, fires: false },
  { alert: 'MeshIntermediateCertificateExpiringSoon', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 20 * DAY, relative: true, fires: false },
  { alert: 'MeshIntermediateCertificateExpiryCritical', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('intermediate'), value: 3 * DAY, relative: true, fires: true },
  { alert: 'MeshIntermediateCertificateExpiryCritical', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('intermediate'), value: 20 * DAY, relative: true, fires: false },
  { alert: 'MeshRootCertificateExpiringSoon', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 60 * DAY, relative: true, fires: true },
  { alert: 'MeshRootCertificateExpiringSoon', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 365 * DAY, relative: true, fires: false },
  { alert: 'MeshRootCertificateExpiryCritical', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 10 * DAY, relative: true, fires: true },
  { alert: 'MeshRootCertificateExpiryCritical', series: 'mtls_doctor_cert_expiry_timestamp_seconds', labels: exp('root'), value: 60 * DAY, relative: true, fires: false },
  { alert: 'WorkloadCertificateRotationStalled', series: 'istio_agent_cert_expiry_seconds', labels: agent, value: 4 * 3600, relative: false, fires: true },
  { alert: 'WorkloadCertificateRotationStalled', series: 'istio_agent_cert_expiry_seconds', labels: agent, value: 14 * 3600, relative: false, fires: false },
  { alert: 'WorkloadCertificateExpiryCritical', series: 'istio_agent_cert_expiry_seconds', labels: agent, value: -600, relative: false, fires: true },
  { alert: 'WorkloadCertificateExpiryCritical', series: 'istio_agent_cert_expiry_seconds', labels: agent, value: 4 * 3600, relative: false, fires: false },
  { alert: 'IstiodRootCertificateExpiringSoon', series: 'citadel_server_root_cert_expiry_timestamp', labels: {}, value: 30 * DAY, relative: true, fires: true },
  { alert: 'IstiodRootCertificateExpiringSoon', series: 'citadel_server_root_cert_expiry_timestamp', labels: {}, value: 3000 * DAY, relative: true, fires: false },
  { alert: 'IstiodCertificateChainExpiringSoon', series: 'citadel_server_cert_chain_expiry_timestamp', labels: {}, value: 10 * DAY, relative: true, fires: true },
  { alert: 'IstiodCertificateChainExpiringSoon', series: 'citadel_server_cert_chain_expiry_timestamp', labels: {}, value: 300 * DAY, relative: true, fires: false },
  { alert: 'MeshCaRotationOrderViolation', series: 'mtls_doctor_rotation_violations', labels: {}, value: 2, relative: false, fires: true },
  { alert: 'MeshCaRotationOrderViolation', series: 'mtls_doctor_rotation_violations', labels: {}, value: 0, relative: false, fires: false },
  { alert: 'MeshTrustBundleDrift', series: 'mtls_doctor_trust_bundle_drift_pods', labels: {}, value: 3, relative: false, fires: true },
  { alert: 'MeshTrustBundleDrift', series: 'mtls_doctor_trust_bundle_drift_pods', labels: {}, value: 0, relative: false, fires: false },
  { alert: 'MtlsDoctorScanPodsFailing', series: 'mtls_doctor_scan_pods', labels: { status: 'failed' }, value: 4, relative: false, fires: true },
  { alert: 'MtlsDoctorScanPodsFailing', series: 'mtls_doctor_scan_pods', labels: { status: 'ok' }, value: 40, relative: false, fires: false },
];

const sel = (name: string, l: Record<string, string>) => `${name}{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;

function unitTests(rules: AlertRule[], file: string): string {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const out = [`rule_files: [${JSON.stringify(file)}]`, 'evaluation_interval: 1m', 'tests:'];
  for (const c of cases) {
    const r = byName.get(c.alert)!;
    const alertValue = c.relative ? c.value - EVAL : c.value;
    out.push('  - interval: 1m', '    input_series:', `      - series: ${JSON.stringify(sel(c.series, c.labels))}`, `        values: ${JSON.stringify(`${c.value}x${EVAL / 60 + 10}`)}`);
    out.push('    alert_rule_test:', `      - eval_time: ${EVAL / 60}m`, `        alertname: ${c.alert}`);
    if (!c.fires) {
      out.push('        exp_alerts: []');
      continue;
    }
    const labels = { ...c.labels, severity: r.severity };
    out.push('        exp_alerts:', '          - exp_labels:');
    for (const [k, v] of Object.entries(labels)) out.push(`              ${k}: ${JSON.stringify(v)}`);
    out.push('            exp_annotations:');
    for (const k of ['summary', 'description', 'runbook'] as const) out.push(`              ${k}: ${JSON.stringify(expand(r[k], c.labels, alertValue))}`);
  }
  return out.join('\n') + '\n';
}

describe.skipIf(!promtool)('the alert pack under promtool', () => {
  it('every alert has a firing and a not-firing case here', () => {
    for (const r of alertRules()) {
      expect(cases.some((c) => c.alert === r.alert && c.fires), `${r.alert} fires`).toBe(true);
      expect(cases.some((c) => c.alert === r.alert && !c.fires), `${r.alert} stays quiet`).toBe(true);
    }
  });

  it('promtool check rules accepts the pack', () => {
    const file = join(dir, 'rules.yml');
    writeFileSync(file, renderAlertRules());
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('promtool test rules: each alert fires on its sample series and stays quiet on a healthy one', () => {
    const rules = alertRules();
    writeFileSync(join(dir, 'rules.yml'), renderAlertRules(rules));
    writeFileSync(join(dir, 'tests.yml'), unitTests(rules, 'rules.yml'));
    const r = spawnSync('promtool', ['test', 'rules', 'tests.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the thresholds move the alerts: an intermediate warn limit of 10 days stops a 20-day CA from firing', () => {
    const rules = alertRules(resolveThresholds({ intermediate: { warnDays: 10, criticalDays: 2 } }));
    const expr = rules.find((r) => r.alert === 'MeshIntermediateCertificateExpiringSoon')!.expr;
    expect(expr).toContain(`< ${10 * DAY}`);
    writeFileSync(join(dir, 'narrow.yml'), renderAlertRules(rules));
    const test = [
      'rule_files: ["narrow.yml"]',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      `      - series: '${sel('mtls_doctor_cert_expiry_timestamp_seconds', exp('intermediate'))}'`,
      `        values: '${20 * DAY}x200'`,
      '    alert_rule_test:',
      '      - eval_time: 3h',
      '        alertname: MeshIntermediateCertificateExpiringSoon',
      '        exp_alerts: []',
    ].join('\n');
    writeFileSync(join(dir, 'narrow-tests.yml'), test + '\n');
    const out = execFileSync('promtool', ['test', 'rules', 'narrow-tests.yml'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });
});
