/**
 * The lab with node:tls peers on 127.0.0.1: each scenario starts a real server, diagnoses it through the CLI
 * (`diagnose --peer … -o json`) and asserts the rank-1 rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nodeTlsPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { at, DAY, HOUR, id, inter, labMesh, leaf, MIN, root } from './pki.js';
import { diagnoseJson, rank1 } from './support.js';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
const track = <T extends Peer | WorkloadFiles>(x: T): T => (cleanup.push('stop' in x ? () => x.stop() : () => x.remove()), x);

describe('lab: node:tls peers', () => {
  it('healthy: both sides valid → verdict healthy, the workload handshake succeeds', async () => {
    const m = await labMesh();
    const peer = track(await nodeTlsPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { code, report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-id', id('server'), '--expect-id', id('client')]);
    expect(report.verdict, rank1(report)).toBe('healthy');
    expect(code).toBe(0);
    expect(report.symptom).toBeNull();
    expect(report.chains.map((c) => c.subject)).toEqual(['local', 'peer']);
    expect(peer.connections()).toBe(2);
  });

  it('our leaf expired: the peer drops us after the handshake → expiry/leaf-expired (local) explains it', async () => {
    const m = await labMesh();
    const old = await leaf(m.inter, 'client', { notBefore: at(-30 * HOUR), notAfter: at(-6 * HOUR) });
    const peer = track(await nodeTlsPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [old, m.inter], key: old, trust: [m.root] }));
    const { code, report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('expiry/leaf-expired (local)');
    expect(report.findings[0]!.explainsSymptom).toBe(true);
    expect(report.symptom?.code).toBe('closed:after-handshake');
    expect(report.findings.some((f) => f.rule === 'transport/peer-rejected-certificate')).toBe(false);
    expect(code).toBe(1);
  });

  it("the peer's leaf expired: we reject it (CERT_HAS_EXPIRED) → expiry/leaf-expired (peer)", async () => {
    const m = await labMesh();
    const old = await leaf(m.inter, 'server', { notBefore: at(-30 * HOUR), notAfter: at(-1 * HOUR) });
    const peer = track(await nodeTlsPeer({ chain: [old, m.inter], key: old, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('expiry/leaf-expired (peer)');
    expect(report.symptom).toMatchObject({ source: 'probe', code: 'verify:CERT_HAS_EXPIRED' });
    expect(report.findings[0]!.explainsSymptom).toBe(true);
  });

  it("the peer's chain comes from a CA we do not trust → chain/unknown-authority (peer)", async () => {
    const m = await labMesh();
    const foreign = await root('Foreign Root');
    const fi = await inter(foreign, 'Foreign Intermediate');
    const theirs = await leaf(fi, 'server');
    const peer = track(await nodeTlsPeer({ chain: [theirs, fi], key: theirs }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('chain/unknown-authority (peer)');
    expect(report.symptom?.code).toMatch(/^verify:(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });

  it('identity mismatch: the peer presents another service account than --peer-id → san/identity-mismatch (peer)', async () => {
    const m = await labMesh();
    const other = await leaf(m.inter, 'other');
    const peer = track(await nodeTlsPeer({ chain: [other, m.inter], key: other, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-id', id('server')]);
    expect(rank1(report)).toBe('san/identity-mismatch (peer)');
  });

  it('trust-domain mismatch: the peer is in another trust domain → san/trust-domain-mismatch (peer)', async () => {
    const m = await labMesh();
    const other = await leaf(m.inter, 'server', { uris: [id('server', 'east.example')] });
    const peer = track(await nodeTlsPeer({ chain: [other, m.inter], key: other, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-id', id('server')]);
    expect(rank1(report)).toBe('san/trust-domain-mismatch (peer)');
  });

  it('not yet valid (clock skew): the peer presents a leaf that starts in 4 minutes → expiry/not-yet-valid (peer)', async () => {
    const m = await labMesh();
    const early = await leaf(m.inter, 'server', { notBefore: at(4 * MIN), notAfter: at(DAY) });
    const peer = track(await nodeTlsPeer({ chain: [early, m.inter], key: early }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('expiry/not-yet-valid (peer)');
    expect(report.symptom?.code).toBe('verify:CERT_NOT_YET_VALID');
  });

  it('client certificate required, probed with --peer alone → transport/client-cert-required and the peer chain still judged', async () => {
    const m = await labMesh();
    const peer = track(await nodeTlsPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const { code, report } = await diagnoseJson(['--peer', peer.address]);
    expect(rank1(report)).toBe('transport/client-cert-required (peer)');
    // We offered no certificate: a STRICT peer's demand is information, not a failure (issue 9 point 2).
    expect(report.symptom).toBeNull();
    expect(report.findings[0]!.severity).toBe('info');
    expect(report.chains.map((c) => c.subject)).toEqual(['peer']);
    expect(report.target).toMatchObject({ kind: 'peer', peer: peer.address });
    expect(code).toBe(0);
  });

  it('ALPN: a node:tls server that serves only h2 refuses the mesh ALPN → transport/alpn-mismatch', async () => {
    const m = await labMesh();
    const peer = track(await nodeTlsPeer({ chain: [m.server, m.inter], key: m.server, alpn: ['h2'] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('transport/alpn-mismatch (peer)');
    // With the ALPN it serves, the same peer is healthy.
    const again = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--alpn', 'h2']);
    expect(again.report.verdict).toBe('healthy');
  });

  it('the 3 AM fault: both sides under an intermediate that expired 13 minutes ago → expiry/intermediate-expired', async () => {
    const r = await root('Lab Mesh Root');
    const dead = await inter(r, 'Lab Intermediate (expired)', { notBefore: at(-365 * DAY), notAfter: at(-13 * MIN) });
    const ours = await leaf(dead, 'client', { notBefore: at(-3 * HOUR) });
    const theirs = await leaf(dead, 'server', { notBefore: at(-3 * HOUR) });
    const peer = track(await nodeTlsPeer({ chain: [theirs, dead], key: theirs, trust: [r] }));
    const w = track(await workloadFiles({ chain: [ours, dead], key: ours, trust: [r] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('expiry/intermediate-expired (local)');
    expect(report.findings[0]!.explainsSymptom).toBe(true);
    expect(report.symptom?.code).toBe('verify:CERT_HAS_EXPIRED');
  });
});
