/**
 * The lab with OpenSSL `s_server` (Debian `openssl`): a TLS stack nobody here wrote, with -Verify and
 * -verify_return_error so that it rejects bad client certificates with real alerts (45, 48, 43, 42, 116).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { opensslPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { at, DAY, HOUR, inter, labMesh, leaf, MIN, root } from './pki.js';
import { binary, diagnoseJson, rank1 } from './support.js';

const openssl = binary('openssl');
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
const track = <T extends Peer | WorkloadFiles>(x: T): T => (cleanup.push('stop' in x ? () => x.stop() : () => x.remove()), x);

describe('lab: openssl is installed', () => {
  it.runIf(openssl.missingInCi)('openssl must be installed under CI (apt-get install -y openssl)', () => {
    expect(openssl.ok, 'openssl is missing: the OpenSSL lab cannot run').toBe(true);
  });
});

describe.skipIf(!openssl.ok)('lab: OpenSSL s_server', () => {
  it('healthy mTLS over TLS 1.3 → verdict healthy', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.verdict, rank1(report)).toBe('healthy');
  });

  it('our leaf expired → alert 45 → expiry/leaf-expired (local)', async () => {
    const m = await labMesh();
    const old = await leaf(m.inter, 'client', { notBefore: at(-30 * HOUR), notAfter: at(-6 * HOUR) });
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [old, m.inter], key: old, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:45');
    expect(rank1(report)).toBe('expiry/leaf-expired (local)');
    expect(report.findings[0]!.explainsSymptom).toBe(true);
  });

  it('our intermediate expired (TLS 1.2) → alert 45 during the handshake → expiry/intermediate-expired (local)', async () => {
    const r = await root('Lab Mesh Root');
    const good = await inter(r, 'Server Intermediate');
    const dead = await inter(r, 'Client Intermediate', { notBefore: at(-365 * DAY), notAfter: at(-47 * MIN) });
    const ours = await leaf(dead, 'client');
    const theirs = await leaf(good, 'server');
    const peer = track(await opensslPeer({ chain: [theirs, good], key: theirs, trust: [r], version: 'tls1_2' }));
    const w = track(await workloadFiles({ chain: [ours, dead], key: ours, trust: [r] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:45');
    expect(rank1(report)).toBe('expiry/intermediate-expired (local)');
  });

  it("the peer's intermediate expired → we reject it → expiry/intermediate-expired (peer)", async () => {
    const r = await root('Lab Mesh Root');
    const good = await inter(r, 'Client Intermediate');
    const dead = await inter(r, 'Server Intermediate', { notBefore: at(-365 * DAY), notAfter: at(-2 * HOUR) });
    const ours = await leaf(good, 'client');
    const theirs = await leaf(dead, 'server');
    const peer = track(await opensslPeer({ chain: [theirs, dead], key: theirs, trust: [r] }));
    const w = track(await workloadFiles({ chain: [ours, good], key: ours, trust: [r] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('verify:CERT_HAS_EXPIRED');
    expect(rank1(report)).toBe('expiry/intermediate-expired (peer)');
  });

  it('our leaf is not valid yet (clock skew) → alert 42 → expiry/not-yet-valid (local)', async () => {
    const m = await labMesh();
    const early = await leaf(m.inter, 'client', { notBefore: at(3 * MIN), notAfter: at(DAY) });
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [early, m.inter], key: early, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:42');
    expect(rank1(report)).toBe('expiry/not-yet-valid (local)');
  });

  it("the peer does not trust our CA, and we say what it trusts → alert 48 → chain/unknown-authority (local)", async () => {
    const m = await labMesh();
    const theirRoot = await root('Other Cluster Root');
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [theirRoot] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root], peerTrust: [theirRoot] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-trust', w.peerTrust!]);
    expect(report.symptom?.code).toBe('alert:48');
    expect(rank1(report)).toBe('chain/unknown-authority (local)');
    expect(report.findings.some((f) => f.rule === 'transport/peer-rejected-certificate')).toBe(false);
  });

  it('the peer does not trust our CA and we do not know its bundle → the CA it names in its CertificateRequest says so', async () => {
    const m = await labMesh();
    const theirRoot = await root('Other Cluster Root');
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [theirRoot] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    // s_server names its -CAfile in the CertificateRequest: the probe reads it (decrypted, TLS 1.3).
    expect(rank1(report)).toBe('chain/unknown-authority (local)');
    expect(report.findings[0]!.explanation).toMatch(/accepts client certificates issued under "Other Cluster Root".*ours chain to "Lab Mesh Root"/);
    expect(report.findings[0]!.explainsSymptom).toBe(true);
    expect(report.findings.some((f) => f.rule === 'transport/peer-rejected-certificate')).toBe(false);
  });

  it('mid-rotation: we are issued by the new root, the peer still trusts only the old one → chain/rotation-order-violation', async () => {
    const oldRoot = await root('Mesh Root 2025');
    const newRoot = await root('Mesh Root 2026');
    const oldInter = await inter(oldRoot, 'Intermediate 2025');
    const newInter = await inter(newRoot, 'Intermediate 2026');
    const ours = await leaf(newInter, 'client');
    const theirs = await leaf(oldInter, 'server');
    const peer = track(await opensslPeer({ chain: [theirs, oldInter], key: theirs, trust: [oldRoot] }));
    const w = track(await workloadFiles({ chain: [ours, newInter], key: ours, trust: [oldRoot, newRoot], peerTrust: [oldRoot] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-trust', w.peerTrust!]);
    expect(report.symptom?.code).toBe('alert:48');
    expect(rank1(report)).toBe('chain/rotation-order-violation (local)');
  });

  it('serverAuth-only client certificate → alert 43 → key-usage/missing-client-auth (local)', async () => {
    const m = await labMesh();
    const serverOnly = await leaf(m.inter, 'client', { eku: ['serverAuth'] });
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [serverOnly, m.inter], key: serverOnly, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:43');
    expect(rank1(report)).toBe('key-usage/missing-client-auth (local)');
  });

  it('client certificate required (TLS 1.3, alert 116) with --peer alone → transport/client-cert-required', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address]);
    // We offered no certificate: the demand is information (a STRICT peer), not a symptom.
    expect(report.symptom).toBeNull();
    expect(rank1(report)).toBe('transport/client-cert-required (peer)');
    expect(report.findings[0]!.explanation).toMatch(/alert 116 certificate_required/);
    expect(report.findings[0]!.severity).toBe('info');
  });

  it('client certificate required (TLS 1.2, alert 40 after the ServerHello) → transport/client-cert-required', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root], version: 'tls1_2' }));
    const { report } = await diagnoseJson(['--peer', peer.address]);
    expect(report.symptom).toBeNull();
    expect(rank1(report)).toBe('transport/client-cert-required (peer)');
    expect(report.findings[0]!.explanation).toMatch(/alert 40 handshake_failure/);
  });

  it('version mismatch: a TLS 1.1-only server → transport/protocol-version-mismatch, naming what it speaks', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, version: 'tls1_1', cipher: 'DEFAULT@SECLEVEL=0' }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:70');
    expect(rank1(report)).toBe('transport/protocol-version-mismatch (peer)');
    expect(report.findings[0]!.explanation).toMatch(/settled on TLSv1\.1/);
  });

  it('cipher mismatch: a server restricted to CAMELLIA → transport/cipher-mismatch, naming the suite it chose', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, version: 'tls1_2', cipher: 'ECDHE-ECDSA-CAMELLIA128-SHA256' }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:40');
    expect(rank1(report)).toBe('transport/cipher-mismatch (peer)');
    expect(report.findings[0]!.explanation).toMatch(/CAMELLIA/);
  });

  it('TLS 1.3 cipher mismatch: a server that only allows AES-128-CCM → transport/cipher-mismatch', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, version: 'tls1_3', ciphersuites: 'TLS_AES_128_CCM_SHA256' }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(rank1(report)).toBe('transport/cipher-mismatch (peer)');
    expect(report.findings[0]!.explanation).toMatch(/TLS_AES_128_CCM_SHA256/);
  });
});
