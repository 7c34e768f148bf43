import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/certificate.js';
import { MtlsDoctorError } from '../../src/errors.js';
import { leaf, mesh, root } from '../support/pki.js';
import { brokenSan, nameConstraints, rawExtension } from './ext.js';

describe('parseCertificate', () => {
  it('reads the facts of a healthy mesh leaf', async () => {
    const m = await mesh();
    const f = parseCertificate(m.leaf.der, 'chain.pem #1').fact;
    expect(f.sans).toEqual([{ type: 'uri', value: 'spiffe://cluster.local/ns/demo/sa/web' }]);
    expect(f.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(f.eku).toEqual(['serverAuth', 'clientAuth']);
    expect(f.basicConstraints).toEqual({ ca: false, pathLen: null, critical: true });
    expect(f.publicKey).toEqual({ type: 'ec', bits: 256, curve: 'prime256v1' });
    expect(f.defects).toEqual([]);
    const i = parseCertificate(m.inter.der, 'ca').fact;
    expect(i.subject).toBe('O=cluster.local, CN=Mesh Intermediate CA');
    expect(i.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(i.aki).toBe(parseCertificate(m.root.der, 'r').fact.ski);
  });

  it('writes IP SANs in canonical form (IPv6 per RFC 5952)', async () => {
    const r = await root();
    const l = await leaf(r, { uris: [], ips: ['10.0.0.1', '2001:0db8:0000:0000:0000:0000:0000:0001'] });
    expect(parseCertificate(l.der, 'x').fact.sans.map((s) => s.value)).toEqual(['10.0.0.1', '2001:db8::1']);
  });

  it('reads name constraints with IP subtrees as CIDR', async () => {
    const r = await root('Root', { extensions: [nameConstraints({ permitted: [{ uri: 'cluster.local' }, { ip: '10.0.0.0/8' }], excluded: [{ dns: 'evil.test' }] })] });
    expect(parseCertificate(r.der, 'x').fact.nameConstraints).toEqual({
      critical: true,
      permitted: [{ type: 'uri', value: 'cluster.local' }, { type: 'ip', value: '10.0.0.0/8' }],
      excluded: [{ type: 'dns', value: 'evil.test' }],
    });
  });

  it('records an unknown critical extension, and treats critical AKI/AIA as unprocessed as BoringSSL does', async () => {
    const r = await root();
    const l = await leaf(r, { extensions: [rawExtension('1.3.6.1.4.1.99999.1', true), rawExtension('1.3.6.1.5.5.7.1.1', true, Uint8Array.from([0x30, 0]))] });
    expect(parseCertificate(l.der, 'x').fact.unknownCriticalExtensions).toEqual(['1.3.6.1.4.1.99999.1', '1.3.6.1.5.5.7.1.1']);
    const ok = await leaf(r, { extensions: [rawExtension('1.3.6.1.4.1.99999.1', false)] });
    expect(parseCertificate(ok.der, 'x').fact.unknownCriticalExtensions).toEqual([]);
  });

  it('turns a malformed SAN into a defect instead of throwing', async () => {
    const r = await root();
    const l = await leaf(r, { uris: [], extensions: [brokenSan()] });
    const f = parseCertificate(l.der, 'x').fact;
    expect(f.defects.map((d) => d.code)).toEqual(['malformed-san']);
    expect(f.sans).toEqual([]);
  });

  it('records a duplicate extension', async () => {
    const r = await root();
    const l = await leaf(r, { extensions: [rawExtension('2.5.29.32', false, Uint8Array.from([0x30, 0])), rawExtension('2.5.29.32', false, Uint8Array.from([0x30, 0]))] });
    expect(parseCertificate(l.der, 'x').fact.defects.map((d) => d.code)).toEqual(['duplicate-extension']);
  });

  it('refuses bytes that are not a certificate with an input error naming the source', () => {
    expect(() => parseCertificate(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]), 'bad.pem #1')).toThrow(MtlsDoctorError);
    expect(() => parseCertificate(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]), 'bad.pem #1')).toThrow(/Cannot parse bad.pem #1: not a valid X.509 certificate/);
  });
});
