/**
 * The TLS 1.3 traffic secrets the probe uses to read a peer's CertificateRequest are key material: they never
 * appear in the handshake evidence, the report (JSON or text), stderr or a --save-evidence bundle. The peer is a
 * node:tls server whose own `keylog` hands us the same secrets to look for; it names Root B as the CA it
 * accepts, so the secret was demonstrably used (the names were decrypted) in the very run we search.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { probePeer } from '../../src/probe/probe.js';
import { workloadFiles, type WorkloadFiles } from '../support/tls-peers.js';
import { labMesh, root } from './pki.js';
import { cli } from './support.js';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A TLS 1.3 (or 1.2) server that requires a client certificate under `clientCa` and records every secret it derives. */
async function keyloggingPeer(m: Awaited<ReturnType<typeof labMesh>>, clientCa: Awaited<ReturnType<typeof root>>, version: 'TLSv1.3' | 'TLSv1.2') {
  const secrets: string[] = [];
  const server = createServer({
    cert: m.server.pem + m.inter.pem,
    key: await m.server.keyPem(),
    ca: [clientCa.pem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: version,
    maxVersion: version,
  });
  server.on('keylog', (line: Buffer) => {
    const parts = line.toString('latin1').trim().split(' ');
    for (const p of parts.slice(2)) secrets.push(p.toLowerCase());
  });
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (s: TLSSocket) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, secrets };
}

/** Every form a secret could leak in: hex either case, base64, base64url. */
function forms(hex: string): string[] {
  const b = Buffer.from(hex, 'hex');
  return [hex, hex.toUpperCase(), b.toString('base64'), b.toString('base64url')];
}

describe('lab: TLS 1.3 handshake secrets stay in memory', () => {
  it('the probe decrypts the CertificateRequest (Root B) and no secret reaches the evidence', async () => {
    const m = await labMesh();
    const rootB = await root('Root B');
    const peer = await keyloggingPeer(m, rootB, 'TLSv1.3');
    const r = await probePeer({ peer: peer.address, chain: m.client.pem + m.inter.pem, key: await m.client.keyPem(), trust: [m.root.pem] });
    const req = r.handshakes.find((h) => h.attempt === 'workload')!.serverFlight!.certificateRequest!;
    expect(req.read).toBe('decrypted');
    expect(req.authorities.map((a) => a.name)).toEqual(['O=lab, CN=Root B']);
    expect(peer.secrets.length).toBeGreaterThan(0);
    const evidence = JSON.stringify(r);
    for (const s of peer.secrets) for (const f of forms(s)) expect(evidence.includes(f), 'a TLS secret in the probe evidence').toBe(false);
  });

  it('nor the report (JSON and text), stderr, or a --save-evidence bundle', async () => {
    const m = await labMesh();
    const rootB = await root('Root B');
    const peer = await keyloggingPeer(m, rootB, 'TLSv1.3');
    const w: WorkloadFiles = await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] });
    cleanup.push(() => w.remove());
    const saved = join(w.dir, 'evidence.json');
    const json = await cli(['diagnose', '--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust, '-o', 'json', '--save-evidence', saved]);
    const text = await cli(['diagnose', '--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    // The secret was used in this run: the saved evidence holds the CA names decrypted with it. (Whether the
    // finding names them depends on the node:tls peer's silent close arriving within the probe's read window.)
    const bundle = readFileSync(saved, 'utf8');
    expect(bundle).toMatch(/"read": ?"decrypted"/);
    expect(bundle).toMatch(/CN=Root B/);
    const everything = [json.stdout, json.stderr, text.stdout, text.stderr, bundle].join('\n');
    for (const s of peer.secrets) for (const f of forms(s)) expect(everything.includes(f), 'a TLS secret in the output or the saved evidence').toBe(false);
    expect(everything).not.toMatch(/TRAFFIC_SECRET|CLIENT_RANDOM/);
  });

  it('TLS 1.2: the CertificateRequest is read in clear', async () => {
    const m = await labMesh();
    const rootB = await root('Root B');
    const peer = await keyloggingPeer(m, rootB, 'TLSv1.2');
    const r = await probePeer({ peer: peer.address, chain: m.client.pem + m.inter.pem, key: await m.client.keyPem(), trust: [m.root.pem] });
    const req = r.handshakes.find((h) => h.attempt === 'workload')!.serverFlight!.certificateRequest!;
    expect(req.read).toBe('clear');
    expect(req.authorities.map((a) => a.name)).toEqual(['O=lab, CN=Root B']);
  });
});
