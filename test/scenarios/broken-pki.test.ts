/**
 * Whole broken PKIs, diagnosed end to end through the library (the same function the CLI runs): for each
 * classic incident, the rank-1 rule is the cause an on-call engineer needs, and combined faults rank in stage
 * order.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseBothWays as diagnose } from '../support/faces.js';
import { DAY, HOUR, MIN, NOW, YEAR, intermediate, leaf, mesh, root, spiffe, t, WEB_ID } from '../support/pki.js';

const pems = (...cs: Array<{ pem: string }>) => cs.map((c) => c.pem).join('');
const ranked = (r: { findings: Array<{ rule: string }> }) => r.findings.map((f) => f.rule);

describe('scenarios: one fault each', () => {
  it('healthy mesh: no findings, verdict healthy, exit-worthy nothing', async () => {
    const m = await mesh();
    const r = await diagnose({ chain: pems(m.leaf, m.inter), key: await m.leaf.keyPem(), trust: [m.root.pem], expectId: WEB_ID, at: NOW });
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('healthy');
    expect(r.chains[0]!.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
  });

  it('the intermediate that expired at 2:47 AM: freshly rotated leaves, every handshake fails', async () => {
    const r0 = await root();
    const inter = await intermediate(r0, 'Istio Intermediate', { notBefore: t(-YEAR), notAfter: t(-13 * MIN) });
    const l = await leaf(inter, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    const r = await diagnose({ chain: pems(l, inter, r0), trust: [r0.pem], expectId: WEB_ID, at: NOW });
    expect(r.findings[0]).toMatchObject({ rank: 1, rule: 'expiry/intermediate-expired', severity: 'critical' });
    expect(r.findings[0]!.explanation).toContain('2026-11-29T02:47:00Z');
    expect(r.verdict).toBe('failing');
    // Chain building ignores dates: the expired intermediate is not reported again as an unknown authority.
    expect(ranked(r)).not.toContain('chain/unknown-authority');
  });

  it('a new root issuing before peers trust it: rotation-order violation, unknown authority as its consequence', async () => {
    const oldRoot = await root('Root 2016');
    const newRoot = await root('Root 2026');
    const inter = await intermediate(newRoot, 'Intermediate 2026');
    const l = await leaf(inter);
    const r = await diagnose({ chain: pems(l, inter), trust: [oldRoot.pem, newRoot.pem], peerTrust: [oldRoot.pem], at: NOW });
    expect(r.findings[0]).toMatchObject({ rule: 'chain/rotation-order-violation', causedBy: null });
    const ua = r.findings.find((f) => f.rule === 'chain/unknown-authority');
    expect(ua?.causedBy).toBe('chain/rotation-order-violation');
    expect(ua!.rank).toBeGreaterThan(1);
  });

  it('a serverAuth-only workload certificate used as a client', async () => {
    const m = await mesh({ leaf: { eku: ['serverAuth'] } });
    const r = await diagnose({ chain: pems(m.leaf, m.inter), trust: [m.root.pem], role: 'client', at: NOW });
    expect(ranked(r)).toEqual(['key-usage/missing-client-auth']);
    expect(r.findings[0]!.explanation).toContain('serverAuth');
  });

  it('a SPIFFE ID for the wrong service account', async () => {
    const m = await mesh({ leaf: { uris: [spiffe('demo', 'default')] } });
    const r = await diagnose({ chain: pems(m.leaf, m.inter), trust: [m.root.pem], expectId: WEB_ID, at: NOW });
    expect(r.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', severity: 'critical' });
    expect(r.findings[0]!.explanation).toContain('spiffe://cluster.local/ns/demo/sa/default');
  });

  it('a trust domain renamed without aliases: reported once, as a trust-domain mismatch', async () => {
    const m = await mesh({ leaf: { uris: [spiffe('demo', 'web', 'old.example')] } });
    const r = await diagnose({ chain: pems(m.leaf, m.inter), trust: [m.root.pem], expectId: WEB_ID, at: NOW });
    expect(ranked(r)).toEqual(['san/trust-domain-mismatch']);
    expect(r.findings[0]!.remediation.join(' ')).toContain('trustDomainAliases');
  });

  it('a chain missing its intermediate: incomplete-chain when --ca knows it, unknown authority when nothing does', async () => {
    const m = await mesh();
    const withCa = await diagnose({ chain: m.leaf.pem, trust: [m.root.pem], ca: [m.inter.pem, m.root.pem], at: NOW });
    expect(withCa.findings[0]).toMatchObject({ rule: 'chain/incomplete-chain' });
    const without = await diagnose({ chain: m.leaf.pem, trust: [m.root.pem], at: NOW });
    expect(without.findings[0]).toMatchObject({ rule: 'chain/unknown-authority' });
    expect(without.findings[0]!.explanation).toContain('unable to get local issuer certificate');
  });

  it('a cluster that was reinstalled: same root name, new key', async () => {
    const before = await root('Mesh Root CA');
    const after = await root('Mesh Root CA');
    const inter = await intermediate(after);
    const r = await diagnose({ chain: pems(await leaf(inter), inter), trust: [before.pem], at: NOW });
    expect(['chain/bad-signature', 'chain/unknown-authority']).toContain(r.findings[0]!.rule);
    expect(r.verdict).toBe('failing');
  });

  it('a key from another rotation', async () => {
    const m = await mesh();
    const other = await leaf(m.inter);
    const r = await diagnose({ chain: pems(m.leaf, m.inter), key: await other.keyPem(), trust: [m.root.pem], at: NOW });
    expect(ranked(r)).toEqual(['chain/key-mismatch']);
  });

  it('clock skew: a leaf from a signer 3 minutes ahead', async () => {
    const m = await mesh({ leaf: { notBefore: t(3 * MIN), notAfter: t(DAY) } });
    const r = await diagnose({ chain: pems(m.leaf, m.inter), trust: [m.root.pem], at: NOW });
    expect(r.findings[0]).toMatchObject({ rule: 'expiry/not-yet-valid' });
    expect(r.findings[0]!.explanation).toContain('clock skew');
  });

  it('rotation stalled: the stall ranks before the expiring leaf it causes', async () => {
    const m = await mesh({ leaf: { notBefore: t(-21 * HOUR), notAfter: t(3 * HOUR) } });
    const r = await diagnose({ chain: pems(m.leaf, m.inter), trust: [m.root.pem], at: NOW });
    expect(ranked(r)).toEqual(['expiry/rotation-stalled', 'expiry/leaf-expiring']);
    expect(r.findings[1]!.causedBy).toBe('expiry/rotation-stalled');
    expect(r.verdict).toBe('at-risk');
  });
});

describe('scenarios: combined faults rank in stage order', () => {
  it('an expired intermediate outranks a missing clientAuth on the same chain', async () => {
    const r0 = await root();
    const inter = await intermediate(r0, 'Expired Intermediate', { notAfter: t(-2 * HOUR) });
    const l = await leaf(inter, { eku: ['serverAuth'] });
    const r = await diagnose({ chain: pems(l, inter), trust: [r0.pem], at: NOW });
    expect(ranked(r)).toEqual(['expiry/intermediate-expired', 'key-usage/missing-client-auth']);
    expect(r.findings.map((f) => f.rank)).toEqual([1, 2]);
  });

  it('expiry → chain → san → key-usage across four faults', async () => {
    const trusted = await root('Trusted Root');
    const rogue = await root('Rogue Root');
    const inter = await intermediate(rogue, 'Rogue Intermediate', { notAfter: t(-HOUR) });
    const l = await leaf(inter, { uris: [spiffe('demo', 'other')], eku: ['serverAuth'] });
    const r = await diagnose({ chain: pems(l, inter), trust: [trusted.pem], expectId: WEB_ID, at: NOW });
    const stages = r.findings.map((f) => f.stage);
    expect(stages[0]).toBe('expiry');
    expect(stages).toEqual([...stages].sort((a, b) => ['expiry', 'chain', 'san', 'key-usage'].indexOf(a) - ['expiry', 'chain', 'san', 'key-usage'].indexOf(b)));
    expect(new Set(stages)).toEqual(new Set(['expiry', 'chain', 'san', 'key-usage']));
  });

  it('--at moves the evaluation: the same chain is healthy before the intermediate expired', async () => {
    const r0 = await root();
    const inter = await intermediate(r0, 'I', { notAfter: t(-13 * MIN) });
    const l = await leaf(inter, { notBefore: t(-10 * HOUR), notAfter: t(14 * HOUR) });
    const before = await diagnose({ chain: pems(l, inter), trust: [r0.pem], at: NOW - 9 * HOUR });
    expect(before.findings.filter((f) => f.rule.startsWith('expiry/') && f.severity === 'critical')).toEqual([]);
    const after = await diagnose({ chain: pems(l, inter), trust: [r0.pem], at: NOW });
    expect(after.findings[0]!.rule).toBe('expiry/intermediate-expired');
  });
});
