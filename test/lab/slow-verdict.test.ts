/**
 * The peer's verdict is waited for by what is read, not by the machine's speed (issue 22). A TCP relay in front
 * of a real OpenSSL server delays every answer after the server's first flight by 300 ms — what a loaded peer or a
 * slow link does. In TLS 1.3 the server judges our certificate after our Finished: its alert (48 unknown_ca, our CA
 * is not its) arrives late, and the probe must still see it. It used to wait max(40 ms, 3 × handshake time) and
 * then call the handshake accepted.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { opensslPeer, workloadFiles, type Peer, type WorkloadFiles } from '../support/tls-peers.js';
import { labMesh, root, inter, leaf } from './pki.js';
import { binary, diagnoseJson, rank1 } from './support.js';

/** Relays to `port`; the first server→client chunk goes at once, every later one `delayMs` later. */
async function slowRelay(port: number, delayMs: number): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    let chunks = 0;
    client.pipe(upstream);
    upstream.on('data', (b: Buffer) => {
      const later = chunks++ > 0;
      setTimeout(() => client.writable && client.write(b), later ? delayMs : 0);
    });
    upstream.on('end', () => setTimeout(() => client.end(), delayMs + 50));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: p } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${p}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const openssl = binary('openssl');
let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.skipIf(!openssl.ok)('lab: a late verdict is still the verdict', () => {
  it('TLS 1.3, our CA distrusted, the alert 300 ms late → chain/unknown-authority (local) explains alert 48', async () => {
    const m = await labMesh();
    const other = await root('Other Root');
    const otherInter = await inter(other, 'Other Intermediate');
    const server = await leaf(otherInter, 'server');
    const peer: Peer = await opensslPeer({ chain: [server, otherInter], key: server, trust: [other], version: 'tls1_3' });
    cleanup.push(() => peer.stop());
    const relay = await slowRelay(peer.port, 300);
    cleanup.push(() => relay.close());
    const w: WorkloadFiles = await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root, other] });
    cleanup.push(() => w.remove());
    const { report } = await diagnoseJson(['--peer', relay.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.code, JSON.stringify(report.symptom)).toBe('alert:48');
    expect(rank1(report)).toBe('chain/unknown-authority (local)');
    expect(report.verdict).toBe('failing');
  }, 30_000);
});
