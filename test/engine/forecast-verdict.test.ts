/**
 * Issue 9 point 7: forecasts make the verdict at-risk (the exit code still follows --fail-on); an intermediate
 * that expired before the leaf is the cause and the leaf's expiry its consequence; the sooner forecast first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { DAY, HOUR, NOW, YEAR, intermediate, leaf, root, t } from '../support/pki.js';
import { runCli, tempDir } from '../support/cli.js';

describe('verdict', () => {
  it('a root expiring in 10 days is at-risk, not failing, though its severity is error', async () => {
    const r = await root('Mesh Root CA', { notBefore: t(-9 * YEAR), notAfter: t(10 * DAY) });
    const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(5 * DAY) });
    void i;
    const l = await leaf(r);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], at: NOW });
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['expiry/root-expiring', 'error']]);
    expect(report.verdict).toBe('at-risk');
  });

  it('something broken now is still failing next to a forecast', async () => {
    const r = await root('Mesh Root CA', { notBefore: t(-9 * YEAR), notAfter: t(10 * DAY) });
    const l = await leaf(r, { notBefore: t(-25 * HOUR), notAfter: t(-HOUR) });
    const report = await diagnose({ chain: l.pem, trust: [r.pem], at: NOW });
    expect(report.verdict).toBe('failing');
  });

  describe('the CLI exit code follows --fail-on, not the verdict', () => {
    const d = tempDir();
    let chain: string;
    let trust: string;
    beforeAll(async () => {
      const r = await root('Mesh Root CA', { notBefore: t(-9 * YEAR), notAfter: t(10 * DAY) });
      chain = d.file('chain.pem', (await leaf(r)).pem);
      trust = d.file('root.pem', r.pem);
    });
    afterAll(() => d.cleanup());

    it('exit 1 for the error-severity forecast, with verdict at-risk', () => {
      const out = runCli(['diagnose', '--chain', chain, '--trust', trust, '--at', new Date(NOW).toISOString(), '-o', 'json']);
      expect(out.code).toBe(1);
      expect(JSON.parse(out.stdout).verdict).toBe('at-risk');
      const text = runCli(['diagnose', '--chain', chain, '--trust', trust, '--at', new Date(NOW).toISOString()]);
      expect(text.stdout).toMatch(/^mtls-doctor AT-RISK/);
    });
  });
});

describe('ranking', () => {
  it('an intermediate that expired before the leaf is the cause; the leaf is linked to it and ranks after', async () => {
    const r = await root();
    const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(-2 * DAY) });
    const l = await leaf(i, { notBefore: t(-25 * HOUR), notAfter: t(-HOUR) });
    const report = await diagnose({ chain: l.pem + i.pem, trust: [r.pem], at: NOW });
    const rules = report.findings.map((f) => f.rule);
    expect(rules[0]).toBe('expiry/intermediate-expired');
    const leafFinding = report.findings.find((f) => f.rule === 'expiry/leaf-expired')!;
    expect(leafFinding.causedBy).toBe('expiry/intermediate-expired');
    expect(leafFinding.rank).toBeGreaterThan(1);
    expect(leafFinding.explanation).toMatch(/after the CA above it, "Mesh Intermediate CA" .* had already expired at .*That CA is the cause/);
  });

  it('a leaf that expired on its own is not linked to anything', async () => {
    const r = await root();
    const i = await intermediate(r);
    const l = await leaf(i, { notBefore: t(-25 * HOUR), notAfter: t(-HOUR) });
    const report = await diagnose({ chain: l.pem + i.pem, trust: [r.pem], at: NOW });
    expect(report.findings[0]).toMatchObject({ rule: 'expiry/leaf-expired', causedBy: null, rank: 1 });
  });

  it('an intermediate expiring in 9 days outranks a root expiring in 10', async () => {
    const r = await root('Mesh Root CA', { notBefore: t(-9 * YEAR), notAfter: t(10 * DAY) });
    const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(9 * DAY) });
    const l = await leaf(i);
    const report = await diagnose({ chain: l.pem + i.pem, trust: [r.pem], at: NOW });
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['expiry/intermediate-expiring', 'warning'],
      ['expiry/root-expiring', 'error'],
    ]);
    expect(report.verdict).toBe('at-risk');
  });
});
