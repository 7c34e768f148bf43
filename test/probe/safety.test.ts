/**
 * The probe is bounded: a peer that accepts and never answers, answers with garbage, or resets mid-record
 * ends within the budget with a classified outcome; it makes a fixed, small number of handshakes and sends
 * nothing beyond the ClientHello and one minimal request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:tls';
import { MAX_HANDSHAKES, probePeer } from '../../src/probe/probe.js';
import { rawPeer, type Peer, LOOPBACK } from '../support/tls-peers.js';
import { mesh } from '../support/pki.js';

let peers: Peer[] = [];
afterEach(async () => {
  for (const p of peers) await p.stop();
  peers = [];
});
const start = async (b: Parameters<typeof rawPeer>[0]) => {
  const p = await rawPeer(b);
  peers.push(p);
  return p;
};

describe('probe safety', () => {
  it('a peer that accepts and never answers: a handshake timeout within the budget', async () => {
    const p = await start('silent');
    const t0 = Date.now();
    const r = await probePeer({ peer: p.address, handshakeTimeoutMs: 60_000, budgetMs: 600 });
    const took = Date.now() - t0;
    expect(took).toBeLessThan(1500);
    expect(r.handshakes[0]!.outcome).toMatchObject({ kind: 'timeout', phase: 'handshake' });
    expect(p.connections()).toBeLessThanOrEqual(MAX_HANDSHAKES);
  });

  it('a peer that answers with garbage: classified as plaintext (binary), at once', async () => {
    const p = await start('garbage');
    const t0 = Date.now();
    const r = await probePeer({ peer: p.address, budgetMs: 2000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.handshakes[0]!.outcome).toMatchObject({ kind: 'plaintext', looksLike: 'binary', sample: expect.stringMatching(/^9f 3c 00 12/) });
  });

  it('a peer that resets mid-record: a reset after the ServerHello began', async () => {
    const p = await start('reset-mid-record');
    const r = await probePeer({ peer: p.address, budgetMs: 2000 });
    expect(r.handshakes[0]!.outcome).toMatchObject({ kind: 'reset', phase: 'after-server-hello' });
  });

  it('a peer that hangs up at once: EOF before the ServerHello', async () => {
    const p = await start('close');
    const r = await probePeer({ peer: p.address, budgetMs: 2000 });
    expect(r.handshakes[0]!.outcome).toMatchObject({ kind: 'eof', phase: 'before-server-hello' });
  });

  it('connect timeout: an injected connect that never completes ends at the connect timeout', async () => {
    const t0 = Date.now();
    const r = await probePeer({ peer: '127.0.0.1:9', connectTimeoutMs: 150, transport: { lookup: async () => '127.0.0.1', connect: () => new Promise(() => undefined) } });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.handshakes[0]!.outcome).toMatchObject({ kind: 'timeout', phase: 'connect' });
    expect(r.source.status).toBe('unavailable');
  });

  it('DNS failure through the injected resolver: one record, no connection attempted', async () => {
    let connects = 0;
    const r = await probePeer({
      peer: 'reviews.bookinfo.svc.cluster.local:9080',
      transport: { lookup: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })), connect: async () => (connects++, Promise.reject(new Error('unused'))) },
    });
    expect(connects).toBe(0);
    expect(r.handshakes).toHaveLength(1);
    expect(r.handshakes[0]!.outcome).toEqual({ kind: 'dns-failure', code: 'ENOTFOUND' });
  });

  it('sends only the handshake and one minimal request; two handshakes for a healthy mTLS peer', async () => {
    const m = await mesh();
    const received: string[] = [];
    let connections = 0;
    const server = createServer({ cert: m.leaf.pem + m.inter.pem, key: await m.leaf.keyPem(), ca: [m.root.pem], requestCert: true, rejectUnauthorized: false }, (s) => {
      s.on('data', (b) => received.push(b.toString('latin1')));
      s.on('error', () => undefined);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await probePeer({ peer: `${LOOPBACK}:${port}`, chain: m.leaf.pem + m.inter.pem, key: await m.leaf.keyPem(), trust: [m.root.pem], alpn: [], readTimeoutMs: 100 });
      expect(r.handshakes.map((h) => h.attempt)).toEqual(['workload', 'anonymous']);
      expect(connections).toBe(2);
      expect(received).toHaveLength(2);
      for (const req of received) expect(req).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: 127\.0\.0\.1\r\nUser-Agent: mtls-doctor-probe\r\nConnection: close\r\n\r\n$/);
      // The key never appears in what the probe returns.
      expect(JSON.stringify(r)).not.toMatch(/PRIVATE KEY/);
    } finally {
      server.close();
    }
  });
});
