/**
 * Served vs mounted: a fresh certificate sits in workload-spiffe-credentials and the agent holds it, but Envoy
 * still serves the one that expired an hour ago (the consul#16779 / istio#3155 shape).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR, NOW, intermediate, leaf, root, t } from '../support/pki.js';
import { startFakeAgent, startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';
import type { Report } from '../../src/report/types.js';

let admin: FakeServer;
let agent: FakeServer;
let dir: string;

beforeAll(async () => {
  const r = await root();
  const i = await intermediate(r);
  const stale = await leaf(i, { notBefore: t(-25 * HOUR), notAfter: t(-1 * HOUR) });
  const fresh = await leaf(i, { notBefore: t(-11 * HOUR), notAfter: t(13 * HOUR) });
  admin = await startFakeEnvoyAdmin({ chain: [stale, i, r], roots: [r] });
  agent = await startFakeAgent({ certExpiresAt: fresh.cert.notAfter.getTime() });
  dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-mounted-'));
  const creds = join(dir, 'var/run/secrets/workload-spiffe-credentials');
  mkdirSync(creds, { recursive: true });
  writeFileSync(join(creds, 'cert-chain.pem'), fresh.pem + i.pem);
  writeFileSync(join(creds, 'root-cert.pem'), r.pem);
  writeFileSync(join(creds, 'key.pem'), await fresh.keyPem());
});
afterAll(async () => {
  await admin.close();
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Envoy serves a different certificate than the one on disk', () => {
  it('finds the expired served leaf and names both newer copies', async () => {
    const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--agent', agent.url, '--proxy-root', dir, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    const stale = report.findings.filter((f) => f.rule === 'expiry/served-cert-stale');
    expect(stale.map((f) => f.severity)).toEqual(['critical', 'critical']);
    expect(stale.map((f) => f.explanation).join('\n')).toMatch(/workload-spiffe-credentials\/cert-chain\.pem holds a valid certificate/);
    expect(stale.map((f) => f.explanation).join('\n')).toMatch(/The pilot-agent holds a certificate valid until/);
    // The served chain (not the file) is judged as the local chain: its leaf is expired.
    expect(report.findings.map((f) => f.rule)).toContain('expiry/leaf-expired');
    expect(report.chains[0]!.certificates[0]!.source).toBe('envoy secret "default" #1');
    // The key on disk belongs to the fresh file certificate, not to the served one: it is not matched against it.
    expect(report.notEvaluated.find((n) => n.rule === 'chain/key-mismatch')?.reason).toBe('insufficient-evidence');
  });

  it('files only (no admin): the mounted chain and its key are the evidence', async () => {
    const r = await runBothWays(['diagnose', '--proxy-root', dir, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(0);
    expect(report.verdict).toBe('healthy');
    expect(report.chains[0]!.certificates[0]!.source).toMatch(/workload-spiffe-credentials\/cert-chain\.pem #1$/);
    expect(report.notEvaluated.map((n) => n.rule)).not.toContain('chain/key-mismatch');
  });
});
