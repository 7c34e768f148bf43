import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { decodeCrls, parseCrl, resolveCrlSigners } from '../../src/x509/crl.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { revocationChecks } from '../../src/x509/revocation.js';
import { MtlsDoctorError } from '../../src/errors.js';
import { DAY, mesh, root, intermediate, leaf, NOW, t } from '../support/pki.js';
import { crlPem, serialOf } from '../support/crl.js';

const der = (pem: string) => decodeCrls(pem, 'test.pem');
const inputError = (f: () => unknown, re: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MtlsDoctorError);
    expect((e as MtlsDoctorError).code).toBe('E_INPUT');
    expect((e as Error).message).toMatch(re);
    expect((e as Error).message).not.toMatch(/\n/);
    return;
  }
  throw new Error('expected an E_INPUT error');
};

describe('decodeCrls', () => {
  it('reads PEM "X509 CRL" blocks, several in one file, and DER', async () => {
    const m = await mesh();
    const a = await crlPem(m.inter);
    const b = await crlPem(m.root);
    expect(der(a + b)).toHaveLength(2);
    const raw = der(a)[0]!;
    expect(decodeCrls(raw, 'x.der')).toHaveLength(1);
    expect(decodeCrls(Buffer.concat([raw, der(b)[0]!]), 'x.der')).toHaveLength(2);
  });

  it.each([
    ['empty', '', /Cannot read ca-crl\.pem: it is empty/],
    ['a certificate instead', 'CERT', /Cannot read ca-crl\.pem: it holds certificates, not a CRL/],
    ['garbage', 'hello world', /Cannot read ca-crl\.pem: it is neither PEM nor DER CRL data/],
    ['truncated PEM', '-----BEGIN X509 CRL-----\nMIIB', /a PEM block is truncated/],
    ['bad base64', '-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n', /invalid base64/],
  ])('refuses %s with one E_INPUT line naming the file', async (_n, data, re) => {
    const input = data === 'CERT' ? (await root()).pem : data;
    inputError(() => decodeCrls(input, 'ca-crl.pem'), re);
  });

  it('refuses DER that is not a CRL when parsed, naming the file', async () => {
    const r = await root();
    // A certificate in DER is a SEQUENCE too: the strict CRL parser refuses it.
    inputError(() => parseCrl(decodeCrls(r.der, 'ca-crl.der')[0]!, 'ca-crl.der'), /^Cannot parse ca-crl\.der: not a valid X\.509 CRL \(/);
    inputError(() => parseCrl(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 'tiny.der'), /^Cannot parse tiny\.der: not a valid X\.509 CRL/);
  });
});

describe('parseCrl', () => {
  it('reads issuer, validity, CRL number, and revoked serials with dates and reasons', async () => {
    const m = await mesh();
    const pem = await crlPem(m.inter, {
      entries: [
        { serial: serialOf(m.leaf), reason: x509.X509CrlReason.keyCompromise, date: t(-3 * DAY) },
        { serial: '0abc', date: t(-4 * DAY) },
      ],
      crlNumber: 300,
      thisUpdate: t(-DAY),
      nextUpdate: t(6 * DAY),
    });
    const f = parseCrl(der(pem)[0]!, 'ca-crl.pem').fact;
    expect(f.issuer).toMatch(/CN=Mesh Intermediate CA/);
    expect(f.issuerKey).toBe(parseCertificate(m.inter.der, 'inter').fact.subjectKey);
    expect(f.version).toBe(2);
    expect(f.thisUpdate).toBe(NOW - DAY);
    expect(f.nextUpdate).toBe(NOW + 6 * DAY);
    expect(f.crlNumber).toBe('012c');
    expect(f.signature.name).toBe('ecdsa-with-SHA256');
    expect(f.revoked).toEqual([
      { serial: parseCertificate(m.leaf.der, 'leaf').fact.serial, revokedAt: NOW - 3 * DAY, reason: 'keyCompromise' },
      { serial: '0abc', revokedAt: NOW - 4 * DAY, reason: null },
    ]);
    expect(f.unknownCriticalExtensions).toEqual([]);
  });

  it('records a missing cRLNumber and no nextUpdate without failing', async () => {
    const r = await root();
    const f = parseCrl(der(await crlPem(r, { crlNumber: null, nextUpdate: null }))[0]!, 'c').fact;
    expect(f.crlNumber).toBeNull();
    expect(f.nextUpdate).toBeNull();
  });

  it('flags a critical cRLNumber and unknown critical extensions as unhandled, but not a critical AKI or IDP', async () => {
    const r = await root();
    const f = parseCrl(der(await crlPem(r, { crlNumberCritical: true, extensions: [new x509.Extension('1.2.3.4.5', true, new Uint8Array([0x05, 0x00]))] }))[0]!, 'c').fact;
    expect(f.unknownCriticalExtensions.sort()).toEqual(['1.2.3.4.5', '2.5.29.20']);
    const idp = new x509.Extension('2.5.29.28', true, new Uint8Array([0x30, 0x03, 0x81, 0x01, 0xff]));
    const g = parseCrl(der(await crlPem(r, { extensions: [idp] }))[0]!, 'c').fact;
    expect(g.unknownCriticalExtensions).toEqual([]);
    expect(g.scope.onlyUserCerts).toBe(true);
  });
});

describe('CRL signatures', () => {
  it("verifies with the issuer's key only, for EC, RSA and Ed25519 CAs", async () => {
    for (const keyAlg of ['ec-p256', 'rsa-2048', 'ed25519'] as const) {
      const r = await root('Root', { keyAlg });
      const other = await root('Root', { keyAlg });
      const parsed = parseCrl(der(await crlPem(r))[0]!, 'c');
      const [f] = resolveCrlSigners([parsed], [parseCertificate(r.der, 'r'), parseCertificate(other.der, 'o')]);
      const byCert = new Map(f!.signers.map((s) => [s.cert, s.signatureValid]));
      expect(byCert.get(parseCertificate(r.der, 'r').fact.fingerprint), keyAlg).toBe(true);
      expect(byCert.get(parseCertificate(other.der, 'o').fact.fingerprint), keyAlg).toBe(false);
    }
  });

  it('a CRL naming the issuer but signed by another key verifies with nobody', async () => {
    const m = await mesh();
    const impostor = await intermediate(m.root, 'Other CA');
    const parsed = parseCrl(der(await crlPem(m.inter, { signer: impostor }))[0]!, 'c');
    const [f] = resolveCrlSigners([parsed], [parseCertificate(m.inter.der, 'i'), parseCertificate(impostor.der, 'x')]);
    // Only the certificate with the CRL's issuer name is a candidate signer, and its key does not verify it.
    expect(f!.signers).toEqual([{ cert: parseCertificate(m.inter.der, 'i').fact.fingerprint, signatureValid: false }]);
  });
});

describe('revocationChecks', () => {
  const facts = async (pems: string[], path: Array<{ der: Uint8Array }>) => {
    const certs = path.map((c, i) => parseCertificate(c.der, `p${i}`));
    const crls = resolveCrlSigners(pems.flatMap((p) => der(p).map((d) => parseCrl(d, 'c'))), certs);
    return { path: certs.map((c) => c.fact), crls };
  };

  it('uses the current CRL over an expired one, and the newest of several', async () => {
    const m = await mesh();
    const old = await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf) }], thisUpdate: t(-30 * DAY), nextUpdate: t(-20 * DAY) });
    const fresh = await crlPem(m.inter, { thisUpdate: t(-DAY) });
    const { path, crls } = await facts([old, fresh], [m.leaf, m.inter, m.root]);
    const [c] = revocationChecks(path, crls, NOW);
    expect(c!.index).toBe(0);
    expect(c!.time).toBe('current');
    expect(c!.revoked).toBeNull();
  });

  it('ignores CRLs of other issuers and CRLs out of scope (onlyContainsCACerts for a leaf)', async () => {
    const m = await mesh();
    const other = await root('Other Root');
    const l2 = await leaf(m.inter);
    const caOnly = new x509.Extension('2.5.29.28', true, new Uint8Array([0x30, 0x03, 0x82, 0x01, 0xff]));
    const { path, crls } = await facts(
      [await crlPem(other, { entries: [{ serial: serialOf(l2) }] }), await crlPem(m.inter, { entries: [{ serial: serialOf(l2) }], extensions: [caOnly] })],
      [l2, m.inter, m.root],
    );
    expect(revocationChecks(path, crls, NOW)).toEqual([]);
  });
});
