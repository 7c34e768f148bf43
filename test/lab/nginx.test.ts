/**
 * The lab with nginx (Debian `nginx`) and `ssl_verify_client on`: nginx completes the handshake and refuses
 * in HTTP (400 "No required SSL certificate was sent" / "The SSL certificate error"), and refuses the mesh
 * ALPN with alert 120: the probe's minimal request and ALPN handling are what make these visible.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nginxPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { at, HOUR, labMesh, leaf, root } from './pki.js';
import { binary, diagnoseJson, rank1 } from './support.js';

const nginx = binary('nginx');
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
const track = <T extends Peer | WorkloadFiles>(x: T): T => (cleanup.push('stop' in x ? () => x.stop() : () => x.remove()), x);
const HTTP = ['--alpn', 'http/1.1'];

describe('lab: nginx is installed', () => {
  it.runIf(nginx.missingInCi)('nginx must be installed under CI (apt-get install -y nginx)', () => {
    expect(nginx.ok, 'nginx is missing: the nginx lab cannot run').toBe(true);
  });
});

describe.skipIf(!nginx.ok)('lab: nginx with ssl_verify_client on', () => {
  it('healthy (with the ALPN nginx serves) → verdict healthy', async () => {
    const m = await labMesh();
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, ...HTTP]);
    expect(report.verdict, rank1(report)).toBe('healthy');
  });

  it('the mesh ALPN to nginx → alert 120 → transport/alpn-mismatch', async () => {
    const m = await labMesh();
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('alert:120');
    expect(rank1(report)).toBe('transport/alpn-mismatch (peer)');
  });

  it('client certificate required → HTTP 400 "No required SSL certificate was sent" → transport/client-cert-required', async () => {
    const m = await labMesh();
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, ...HTTP]);
    // We offered no certificate: the demand is information (a STRICT peer), not a symptom.
    expect(report.symptom).toBeNull();
    expect(rank1(report)).toBe('transport/client-cert-required (peer)');
    expect(report.findings[0]!.explanation).toMatch(/HTTP 400 "No required SSL certificate was sent"/);
    expect(report.findings[0]!.severity).toBe('info');
  });

  it('our leaf expired → HTTP 400 "The SSL certificate error" → expiry/leaf-expired (local)', async () => {
    const m = await labMesh();
    const old = await leaf(m.inter, 'client', { notBefore: at(-30 * HOUR), notAfter: at(-6 * HOUR) });
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [old, m.inter], key: old, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, ...HTTP]);
    expect(report.symptom?.code).toBe('http:certificate-error');
    expect(rank1(report)).toBe('expiry/leaf-expired (local)');
  });

  it('nginx trusts another CA, given with --peer-trust → chain/unknown-authority (local)', async () => {
    const m = await labMesh();
    const other = await root('Partner Root');
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, trust: [other] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root], peerTrust: [other] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '--peer-trust', w.peerTrust!, ...HTTP]);
    expect(rank1(report)).toBe('chain/unknown-authority (local)');
    expect(report.findings[0]!.explainsSymptom).toBe(true);
  });

  it('mTLS client to a plaintext nginx port → transport/peer-not-tls (an HTTP answer)', async () => {
    const m = await labMesh();
    const peer = track(await nginxPeer({ chain: [m.server, m.inter], key: m.server, plaintext: true }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code).toBe('plaintext');
    expect(rank1(report)).toBe('transport/peer-not-tls (peer)');
    expect(report.findings[0]!.explanation).toMatch(/HTTP\/1\.1 400 Bad Request/);
  });
});
