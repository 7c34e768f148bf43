/**
 * Peers that are not TLS servers, or not reachable: plaintext services, a closed port, an unresolvable name.
 * Each is diagnosed through the CLI and must end in a classified finding, never a crash or a hang.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, rawPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { labMesh } from './pki.js';
import { cli, diagnoseJson, rank1 } from './support.js';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
const track = <T extends Peer | WorkloadFiles>(x: T): T => (cleanup.push('stop' in x ? () => x.stop() : () => x.remove()), x);

describe('lab: peers that do not speak TLS, or cannot be reached', () => {
  it('a plaintext peer that speaks first (a banner) → transport/peer-not-tls', async () => {
    const peer = track(await rawPeer('banner'));
    const { report } = await diagnoseJson(['--peer', peer.address]);
    expect(rank1(report)).toBe('transport/peer-not-tls (peer)');
    expect(report.findings[0]!.explanation).toMatch(/220 mail\.example\.test ESMTP ready/);
  });

  it('an mTLS client to a plaintext HTTP port → transport/peer-not-tls, symptom first', async () => {
    const m = await labMesh();
    const peer = track(await rawPeer('http'));
    const w = track(await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] }));
    const r = await cli(['diagnose', '--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(r.code).toBe(1);
    // The text report opens with what was observed, then the cause.
    const symptomAt = r.stdout.search(/answered our ClientHello in plaintext/);
    const findingAt = r.stdout.indexOf('transport/peer-not-tls');
    expect(symptomAt).toBeGreaterThanOrEqual(0);
    expect(findingAt).toBeGreaterThan(symptomAt);
  });

  it('a closed port → transport/peer-unreachable (refused)', async () => {
    const port = await closedPort();
    const { report } = await diagnoseJson(['--peer', `127.0.0.1:${port}`]);
    expect(rank1(report)).toBe('transport/peer-unreachable (peer)');
    expect(report.symptom?.code).toBe('refused');
    expect(report.verdict).toBe('failing');
  });

  // A name that does not resolve is shown end to end in test/probe/dns-failure.test.ts with an injected
  // resolver: a real lookup here would send a DNS query off this machine.

  it.each([
    ['no port', 'reviews.default', /no port/],
    ['a URL', 'https://reviews:9080', /not a URL/],
    ['port out of range', '127.0.0.1:70000', /port 70000 is out of range \(1-65535\)/],
    ['port zero', '127.0.0.1:0', /port 0 is out of range/],
    ['a port that is not a number', '127.0.0.1:http', /port "http" is not a number/],
    ['a bad host', 'bad host!:443', /not a host name or IP address/],
  ])('--peer with %s → exit 2, one line', async (_n, value, message) => {
    const r = await cli(['diagnose', '--peer', value]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot use --peer/);
  });

  it('--sni without --peer → exit 2, naming the missing --peer', async () => {
    const r = await cli(['diagnose', '--sni', 'x', '--chain', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot use --sni or --alpn without --peer HOST:PORT/);
  });

  it('--alpn with --evidence → exit 2: a bundle already holds its handshakes', async () => {
    const r = await cli(['diagnose', '--alpn', 'h2', '--evidence', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot combine --evidence with --alpn: a bundle already holds its evidence/);
  });
});
