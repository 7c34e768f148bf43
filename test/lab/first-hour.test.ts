/**
 * Issue 9 points 2 and 4 against a real OpenSSL s_server: the peer-only probe of a STRICT peer (a demand for a
 * client certificate is information, the peer chain's real faults rank first), and a peer that serves its leaf
 * without the intermediate our own files hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { opensslPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { at, DAY, HOUR, inter, labMesh, leaf, root } from './pki.js';
import { binary, cli, diagnoseJson, rank1 } from './support.js';

const openssl = binary('openssl');
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
const track = <T extends Peer | WorkloadFiles>(x: T): T => (cleanup.push('stop' in x ? () => x.stop() : () => x.remove()), x);

describe.skipIf(!openssl.ok)('lab: the peer-only probe (diagnose --peer HOST:PORT, no certificate of ours)', () => {
  it('a healthy STRICT peer is not FAILING: its demand for a client certificate is information', async () => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server, m.inter], key: m.server, trust: [m.root] }));
    const { code, report } = await diagnoseJson(['--peer', peer.address]);
    expect(report.verdict, rank1(report)).not.toBe('failing');
    expect(code).toBe(0);
    const f = report.findings.find((x) => x.rule === 'transport/client-cert-required')!;
    expect(f.severity).toBe('info');
    expect(f.explanation).toMatch(/this is what STRICT mTLS means/);
    expect(f.remediation.join(' ')).not.toMatch(/PERMISSIVE/);
    // The peer's chain was still evaluated.
    expect(report.chains.map((c) => c.subject)).toContain('peer');
  });

  it("a STRICT peer whose certificate is not valid yet: that fault ranks first, not our missing certificate", async () => {
    const m = await labMesh();
    const early = await leaf(m.inter, 'server', { notBefore: at(2 * HOUR), notAfter: at(DAY) });
    const peer = track(await opensslPeer({ chain: [early, m.inter], key: early, trust: [m.root] }));
    const { code, report } = await diagnoseJson(['--peer', peer.address]);
    expect(rank1(report)).toBe('expiry/not-yet-valid (peer)');
    expect(code).toBe(1);
    const strict = report.findings.find((x) => x.rule === 'transport/client-cert-required')!;
    expect(strict.severity).toBe('info');
  });

  it('a STRICT peer with a 1024-bit RSA certificate: the weak key ranks first', async () => {
    const r = await root('Lab Mesh Root');
    const i = await inter(r, 'Lab Intermediate');
    const weak = await leaf(i, 'server', { keyAlg: 'rsa-1024' });
    const peer = track(await opensslPeer({ chain: [weak, i], key: weak, trust: [r], cipher: 'DEFAULT:@SECLEVEL=0' }));
    const { report } = await diagnoseJson(['--peer', peer.address]);
    expect(rank1(report)).toBe('chain/weak-algorithm (peer)');
    expect(report.findings.find((x) => x.rule === 'transport/client-cert-required')?.severity).toBe('info');
  });
});

describe.skipIf(!openssl.ok)('lab: a peer that serves its leaf without the intermediate (point 4)', () => {
  const scenario = async (ours: 'chain' | 'ca') => {
    const m = await labMesh();
    const peer = track(await opensslPeer({ chain: [m.server], key: m.server, trust: [m.root] }));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const extra = ours === 'ca' ? ['--ca', w.chain] : [];
    return { peer, w, ...(await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, ...extra])) };
  };

  for (const ours of ['chain', 'ca'] as const) {
    it(`names the peer's incomplete chain, served by the peer, when our --${ours} holds the intermediate`, async () => {
      const { report, peer } = await scenario(ours);
      const f = report.findings[0]!;
      expect(rank1(report)).toBe('chain/incomplete-chain (peer)');
      expect(f.explanation).toMatch(new RegExp(`The peer's chain presents 1 certificate but not the intermediate "Lab Intermediate"`));
      expect(f.explanation).toMatch(/the peer serves it: fix the peer's cert-chain/i);
      expect(f.explanation).not.toMatch(/a CA the peer does not trust/);
      expect(f.remediation.join(' ')).not.toMatch(/put the issuing root into the verifier's trust bundle/);
      expect(f.verify).not.toMatch(/-untrusted peer /);
      expect(f.verify).toContain(peer.address);
    });
  }

  it('the verify command runs and shows the fault (unable to get local issuer certificate)', async () => {
    const { report } = await scenario('chain');
    const verify = report.findings[0]!.verify;
    let out = '';
    try {
      // In a directory of its own: the command writes the chain it fetched (chain.pem) where it runs.
      out = execFileSync('bash', ['-c', verify], { cwd: mkdtempSync(join(tmpdir(), 'mtls-verify-')), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    } catch (e) {
      out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    }
    // OpenSSL: error 20 (unable to get local issuer certificate), or 21 with the leaf alone.
    expect(out).toMatch(/unable to get local issuer certificate|unable to verify the first certificate/);
  });
});
