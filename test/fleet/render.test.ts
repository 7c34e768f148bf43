import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeFleet as analyseFleet } from '../../src/diagnose/fleet-model.js';
import { renderPrometheus } from '../../src/report/prometheus.js';
import { renderRotationText, renderScanMarkdown, renderScanText } from '../../src/report/scan.js';
import type { ScanReport } from '../../src/fleet/types.js';
import { DAY, NOW, t } from '../support/pki.js';
import { fleetPki, pods } from './fleet-pki.js';

let mid: ScanReport;
let expired: ScanReport;
beforeAll(async () => {
  const pki = await fleetPki();
  mid = analyseFleet(
    {
      pods: [
        ...(await pods(pki, 10, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i >= 8 ? ['old'] : ['old', 'new'] }))),
        { namespace: 'a', name: 'denied', status: 'failed', reason: 'forbidden: pods/portforward' },
      ],
      // Read, and holding both roots: the plan may delete the pods that lack the new root.
      rootConfigMaps: ['ns0', 'ns1', 'ns2'].map((namespace) => ({ namespace, pem: pki.oldRoot.pem + pki.newRoot.pem })),
    },
    { now: NOW, durationSeconds: 1.25 },
  );
  const old = await fleetPki({ oldInter: { notBefore: t(-400 * DAY), notAfter: t(-2 * DAY) } });
  expired = analyseFleet({ pods: await pods(old, 3, () => ({ serves: 'old', trusts: ['old'] })) }, { now: NOW });
});

describe('scan text', () => {
  it('fits 80 columns, leads with the first CA to expire, names violations and the pods not read', () => {
    const text = renderScanText(expired, { color: false });
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text.split('\n')[1]).toMatch(/^First CA to expire: Mesh Intermediate 2025 \(intermediate\): EXPIRED 2 d ago$/);
    const m = renderScanText(mid, { color: false });
    expect(m).toContain('VIOLATION issuing-before-trusted');
    expect(m).toContain('a/denied: forbidden: pods/portforward');
    expect(m).toMatch(/cut off: 3 pod\(s\) serve leaves under Mesh Root CA 2026/);
    expect(renderScanText(mid, { color: true })).toContain('\x1b[31m');
  });

  it('rotation status and plan: the phase, the next step, and the commands', () => {
    const s = renderRotationText(mid.rotation, { color: false, plan: true });
    expect(s).toMatch(/phase 4 of 5: rotating every workload to the new CA/);
    expect(s).toContain('Stop the rotation');
    expect(s).toContain('kubectl -n ns2 delete pod web-8');
    expect(s).toContain('verify: mtls-doctor rotation status -A');
  });

  it('plan: a pod whose namespace ConfigMap was not read is not deleted, the ConfigMap is checked first', () => {
    const unread = { ...mid.rotation, configMapsRead: ['ns0', 'ns1'] };
    const s = renderRotationText(unread, { color: false, plan: true });
    expect(s).not.toContain('kubectl -n ns2 delete pod web-8');
    expect(s).toMatch(/kubectl -n ns2 get configmap istio-ca-root-cert .*# not read: must list the new root before pod web-8 is deleted/);
    expect(s).toContain('kubectl -n ns0 delete pod web-9');
  });

  it('markdown lists the CA levels and the rotation', () => {
    const md = renderScanMarkdown(expired);
    expect(md).toMatch(/\| intermediate \| O=cluster.local, CN=Mesh Intermediate 2025 \| expired \| expired 2 d ago \| 3 \|/);
    expect(md).toContain('**Rotation:** phase 0 of 5');
  });

  it('markdown lists the pods not read one a line', () => {
    const md = renderScanMarkdown(mid);
    const failed = mid.pods.filter((p) => p.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(md).toContain(`**Not read (${failed.length}):**\n${failed.map((p) => `- \`${p.namespace}/${p.name}\`: ${p.reason}`).join('\n')}\n`);
  });
});

describe('Prometheus exposition', () => {
  it('one series per CA and per workload leaf, the contract metric names, escaped labels', () => {
    const text = renderPrometheus(mid);
    const series = text.split('\n').filter((l) => l.startsWith('mtls_doctor_cert_expiry_timestamp_seconds{'));
    expect(series.filter((l) => l.includes('level="root"'))).toHaveLength(2);
    expect(series.filter((l) => l.includes('level="intermediate"'))).toHaveLength(2);
    expect(series.filter((l) => l.includes('level="leaf"'))).toHaveLength(10);
    expect(series.find((l) => l.includes('level="leaf"'))).toMatch(/namespace="ns\d",workload="web-\d"/);
    expect(text).toContain('mtls_doctor_scan_pods{status="failed"} 1');
    expect(text).toContain('mtls_doctor_rotation_phase 4');
    expect(text).toContain('mtls_doctor_rotation_violations 2');
    expect(text).toContain('mtls_doctor_scan_duration_seconds 1.25');
    expect(text).toMatch(/mtls_doctor_trust_bundle_drift_pods \d+/);
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool && process.env.CI !== 'true')('promtool check metrics finds nothing to complain about', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-prom-'));
    try {
      const f = join(dir, 'm.prom');
      writeFileSync(f, renderPrometheus(mid));
      const r = spawnSync('sh', ['-c', `promtool check metrics < "${f}"`], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
