/**
 * Reading the peer's flight (pure parts): HKDF-Expand-Label against RFC 8448's trace, the CertificateRequest in
 * both versions' layouts, telling the stack from it, and what the rules make of it — the CA the peer accepts,
 * a peer that names none, and what an alert means from a stack that sends it for any verification failure.
 */
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel } from '../../src/probe/tls13.js';
import { parseCertificateRequest } from '../../src/probe/tap.js';
import { detectPeerStack } from '../../src/evidence/peer-stack.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { rules } from '../../rules/index.js';
import type { CertificateRequestEvidence, HandshakeEvidence, ServerFlight } from '../../src/evidence/handshake.js';
import { alert, withProbe } from '../rules/transport/fixtures.js';
import { root } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u16 = (n: number) => [n >> 8, n & 0xff];

/** A DER Name from a certificate's subject. */
async function nameDer(cn: string): Promise<Buffer> {
  const r = await root(cn);
  return Buffer.from(r.cert.subjectName.toArrayBuffer());
}

function flight(req: Partial<CertificateRequestEvidence> | null, o: Partial<ServerFlight> = {}): ServerFlight {
  return {
    version: 'TLSv1.3',
    cipherSuite: 0x1301,
    sessionId: 'echoed',
    helloExtensions: [43, 51],
    encryptedExtensions: [],
    certificateRequest: req ? { read: 'decrypted', certificateTypes: [], signatureAlgorithms: [], extensions: [13, 47], authorities: [], ...req } : null,
    ...o,
  };
}

describe('TLS 1.3 key schedule', () => {
  it('HKDF-Expand-Label gives RFC 8448 §3\'s server handshake key and iv', () => {
    const secret = hex('b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38');
    expect(hkdfExpandLabel('sha256', secret, 'key', 16).toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(hkdfExpandLabel('sha256', secret, 'iv', 12).toString('hex')).toBe('5d313eb2671276ee13000b30');
  });
});

describe('parseCertificateRequest', () => {
  it('TLS 1.2: types, signature algorithms and CA names', async () => {
    const b = await nameDer('Root B');
    const msg = Buffer.from([2, 1, 64, ...u16(4), 0x04, 0x03, 0x08, 0x04, ...u16(b.length + 2), ...u16(b.length), ...b]);
    const r = parseCertificateRequest(msg, false)!;
    expect(r.certificateTypes).toEqual([1, 64]);
    expect(r.signatureAlgorithms).toEqual([0x0403, 0x0804]);
    expect(r.authorities.map((x) => x.equals(b))).toEqual([true]);
  });

  it('TLS 1.3: extensions in order, signature_algorithms and certificate_authorities; no names is an empty list', async () => {
    const b = await nameDer('Root B');
    const sig = [...u16(13), ...u16(4), ...u16(2), 0x08, 0x04];
    const cas = [...u16(47), ...u16(b.length + 4), ...u16(b.length + 2), ...u16(b.length), ...b];
    const exts = [...u16(5), ...u16(0), ...sig, ...cas];
    const r = parseCertificateRequest(Buffer.from([0, ...u16(exts.length), ...exts]), true)!;
    expect(r.extensions).toEqual([5, 13, 47]);
    expect(r.signatureAlgorithms).toEqual([0x0804]);
    expect(r.authorities).toHaveLength(1);
    const none = parseCertificateRequest(Buffer.from([0, ...u16(sig.length), ...sig]), true)!;
    expect(none.authorities).toEqual([]);
  });

  it('never throws on truncated input', () => {
    for (let n = 0; n < 12; n++) expect(() => parseCertificateRequest(Buffer.alloc(n, 0xff), n % 2 === 0)).not.toThrow();
  });
});

describe('detectPeerStack', () => {
  const withReq = (sig: number[], extensions = [13, 47], o: Partial<HandshakeEvidence> = {}): HandshakeEvidence => ({
    ...alert('workload', 42, 'bad_certificate'),
    serverFlight: flight({ signatureAlgorithms: sig, extensions }),
    ...o,
  });

  it.each([
    ['go', [0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401], [5, 18, 13, 47]],
    ['rustls', [0x0503, 0x0403, 0x0807, 0x0806, 0x0805], [13, 47]],
    ['gnutls', [0x0401, 0x0809, 0x0804, 0x0403, 0x0807], [13, 47, 5]],
    ['openssl', [0x0403, 0x0503, 0x0603, 0x0807, 0x0808], [13, 47]],
    ['boringssl', [0x0403, 0x0804, 0x0401, 0x0503, 0x0805], [13]],
  ] as const)('%s from its CertificateRequest', (stack, sig, ext) => {
    const s = detectPeerStack([withReq([...sig], [...ext])])!;
    expect(s.name).toBe(stack);
    expect(s.from.join(' ')).toMatch(/signature algorithms/);
  });

  it('nothing telling: null', () => {
    expect(detectPeerStack([alert('workload', 48, 'unknown_ca')])).toBeNull();
  });

  it('the alerts tell a version: Go answering a missing certificate in TLS 1.3 with 42 is an older Go', () => {
    const anon = { ...alert('anonymous', 42, 'bad_certificate'), peerRequestedCertificate: true, serverFlight: flight({ signatureAlgorithms: [0x0804, 0x0403, 0x0807, 0x0805, 0x0806], extensions: [5, 18, 13, 47] }) };
    expect(detectPeerStack([anon])!.label).toMatch(/older release/);
  });
});

describe('the rules read the peer\'s CertificateRequest', () => {
  it('a peer that names only another CA: chain/unknown-authority says which, and that ours chain elsewhere', async () => {
    const b = await nameDer('Root B');
    const h = { ...alert('workload', 42, 'bad_certificate'), serverFlight: flight({ authorities: [{ name: 'CN=Root B', der: b.toString('base64') }] }) };
    const report = evaluate(await withProbe([h]), rules, { label: sourceLabel });
    expect(report.findings[0]!.rule).toBe('chain/unknown-authority');
    expect(report.findings[0]!.explanation).toMatch(/accepts client certificates issued under "Root B".*ours chain to "Mesh Root CA"/);
    expect(report.findings.some((f) => f.rule === 'transport/peer-rejected-certificate')).toBe(false);
  });

  it('a peer that names our own root: not a trust problem, and the catch-all says so', async () => {
    const ours = await nameDer('Mesh Root CA');
    const h = { ...alert('workload', 42, 'bad_certificate'), serverFlight: flight({ authorities: [{ name: 'CN=Mesh Root CA', der: ours.toString('base64') }] }) };
    const report = evaluate(await withProbe([h]), rules, { label: sourceLabel });
    expect(report.findings.some((f) => f.rule === 'chain/unknown-authority')).toBe(false);
    const f = report.findings.find((x) => x.rule === 'transport/peer-rejected-certificate')!;
    expect(f.explanation).toMatch(/accepts client certificates issued under "Mesh Root CA", and ours chain to it/);
  });

  it('a peer that names no CA (BoringSSL, Envoy): said so, and we fall back to what else we know', async () => {
    const h = { ...alert('workload', 42, 'bad_certificate'), serverFlight: flight({ authorities: [], signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503] }) };
    const report = evaluate(await withProbe([h]), rules, { label: sourceLabel });
    const f = report.findings.find((x) => x.rule === 'transport/peer-rejected-certificate')!;
    expect(f.explanation).toMatch(/named no CA it accepts \(BoringSSL and Envoy name none by default\)/);
    expect(f.explanation).toMatch(/BoringSSL \(Envoy\) peer/);
  });

  it('GnuTLS 49 is any verification failure: our expired leaf explains it, not the AuthorizationPolicy reading of 49', async () => {
    const gnutls = flight({ signatureAlgorithms: [0x0401, 0x0809, 0x0804, 0x0403], extensions: [13, 47, 5] });
    const h = { ...alert('workload', 49, 'access_denied'), serverFlight: gnutls };
    const { HOUR, t, mesh, evidenceFor } = await import('../support/pki.js');
    const m = await mesh({ leaf: { notBefore: t(-30 * HOUR), notAfter: t(-2 * HOUR) } });
    const ev = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
    const report = evaluate({ ...ev, handshakes: [h] }, rules, { label: sourceLabel });
    expect(report.symptom?.detail).toMatch(/from GnuTLS, which sends it for any verification failure/);
    expect(report.findings[0]!.rule).toBe('expiry/leaf-expired');
    expect(report.findings[0]!.explainsSymptom).toBe(true);
    expect(report.findings.some((f) => f.rule === 'transport/peer-rejected-certificate')).toBe(false);
  });
});

describe('a saved bundle is user input', () => {
  it('a malformed serverFlight is read as nothing, never a crash', async () => {
    const junk = [
      { serverFlight: { certificateRequest: { read: 'decrypted', signatureAlgorithms: 'x', extensions: 5, authorities: [{ der: 5 }, null, { der: '!!!' }] } } },
      { serverFlight: 'nope' },
      { serverFlight: { certificateRequest: 42 } },
      { serverFlight: { certificateRequest: { authorities: 'Root B' } } },
    ].map((o) => ({ ...alert('workload', 42, 'bad_certificate'), ...(o as object) }) as HandshakeEvidence);
    for (const h of junk) {
      expect(() => detectPeerStack([h])).not.toThrow();
      const report = evaluate(await withProbe([h]), rules, { label: sourceLabel });
      expect(report.verdict).toBe('failing');
    }
  });
});

describe('a TLS 1.2 peer that asks for no certificate', () => {
  it('is told from its ServerHello alone (extension order, session id)', () => {
    const hello = (helloExtensions: number[], sessionId: ServerFlight['sessionId']): HandshakeEvidence => ({
      ...alert('workload', 48, 'unknown_ca', 'after-server-hello'),
      serverFlight: flight(null, { version: 'TLSv1.2', cipherSuite: 0xc02b, helloExtensions, sessionId, encryptedExtensions: null }),
    });
    expect(detectPeerStack([hello([35, 65281, 11], 'empty')])?.name).toBe('go');
    expect(detectPeerStack([hello([65281, 23], 'new')])?.name).toBe('rustls');
    expect(detectPeerStack([hello([11, 23, 35, 65281], 'new')])?.name).toBe('gnutls');
    expect(detectPeerStack([hello([65281, 11, 35, 16, 23], 'empty')])?.name).toBe('openssl');
    expect(detectPeerStack([hello([65281, 11, 35, 23], 'new')])).toBeNull();
  });
});
