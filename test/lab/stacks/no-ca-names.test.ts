/**
 * The CA names, when the peer sends none and when a HelloRetryRequest comes first. A peer that asks for a
 * client certificate but names no CA it accepts (BoringSSL and Envoy by default; here
 * OpenSSL s_server -no_ca_names): the report says so and falls back to what else it knows — the peer's
 * rejection, with where to look — instead of guessing a CA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackPeer } from '../../support/tls-peers.js';
import { diagnoseJson, rank1 } from '../support.js';
import { matrixPki, spiffe, type MatrixPki } from './openssl-pki.js';
import { toolchain } from './matrix.js';

const tc = toolchain('openssl');

describe.skipIf(!tc.ok)('lab: a peer that names no CA in its CertificateRequest', () => {
  let m: MatrixPki;
  beforeAll(() => {
    m = matrixPki();
  });
  afterAll(() => m?.pki.remove());

  it.each(['1.3', '1.2'] as const)('TLS %s: distrusted CA → the catch-all says the peer named none', async (version) => {
    const peer = await stackPeer('openssl', { chain: m.peer.good.chain, key: m.peer.good.key, clientCas: m.trustB, version, noCaNames: true });
    try {
      const o = m.ours.good;
      const { report } = await diagnoseJson(['--peer', peer.address, '--chain', o.chain, '--key', o.key, '--trust', m.trustA, '--peer-id', spiffe('server')]);
      expect(rank1(report)).toBe('transport/peer-rejected-certificate (local)');
      expect(report.findings[0]!.explanation).toMatch(/named no CA it accepts/);
      expect(report.findings[0]!.explanation).not.toMatch(/Root B/);
    } finally {
      await peer.stop();
    }
  });

  it('after a HelloRetryRequest (the peer wants P-384, we sent an X25519 key share) the names are still read', async () => {
    const peer = await stackPeer('openssl', { chain: m.peer.good.chain, key: m.peer.good.key, clientCas: m.trustB, version: '1.3', groups: 'P-384' });
    try {
      const o = m.ours.good;
      const { report } = await diagnoseJson(['--peer', peer.address, '--chain', o.chain, '--key', o.key, '--trust', m.trustA, '--peer-id', spiffe('server')]);
      expect(rank1(report)).toBe('chain/unknown-authority (local)');
      expect(report.findings[0]!.explanation).toMatch(/accepts client certificates issued under "Root B"/);
    } finally {
      await peer.stop();
    }
  });
});
