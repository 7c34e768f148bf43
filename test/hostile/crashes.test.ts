/**
 * Crashes the fuzzer found (issue 15), each one now a clear E_INPUT (exit 2) or a recorded source problem:
 * a UniversalString with an invalid code point in a CRL issuer (String.fromCodePoint threw a RangeError that
 * parseCrl did not convert: exit 70), an Envoy /config_dump answering JSON `null` (TypeError: exit 70).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DerError, readNode, text } from '../../src/x509/der.js';
import { parseCrl } from '../../src/x509/crl.js';
import { collectProxy } from '../../src/collect/proxy.js';
import { diagnose } from '../../src/index.js';
import { MtlsDoctorError } from '../../src/errors.js';
import { runCli, tempDir } from '../support/cli.js';
import { mesh, NOW } from '../support/pki.js';
import { toPem } from '../../src/x509/pem.js';
import { crlWithIssuer, nameWith, tlv } from './der.js';
import { sourceLabel } from '../../src/report/source-label.js';

const UNIVERSAL = 0x1c;
const BMP = 0x1e;

describe('DER text decoding never throws anything but DerError', () => {
  it.each([
    ['a code point past U+10FFFF', [0x00, 0x11, 0x00, 0x00]],
    ['0xFFFFFFFF', [0xff, 0xff, 0xff, 0xff]],
    ['a lone surrogate', [0x00, 0x00, 0xd8, 0x00]],
    ['a length that is not a multiple of 4', [0x00, 0x00, 0x00, 0x41, 0x00]],
  ])('UniversalString with %s', (_, bytes) => {
    const n = readNode(tlv(UNIVERSAL, bytes));
    expect(() => text(n)).toThrow(DerError);
  });

  it('BMPString of odd length', () => {
    expect(() => text(readNode(tlv(BMP, [0x00, 0x41, 0x00])))).toThrow(DerError);
  });

  it('valid UniversalString and BMPString still decode', () => {
    expect(text(readNode(tlv(UNIVERSAL, [0, 0, 0, 0x41, 0, 1, 0xf6, 0x00])))).toBe('A\u{1f600}');
    expect(text(readNode(tlv(BMP, [0x00, 0x41, 0x00, 0xe9])))).toBe('Aé');
  });
});

describe('a CRL whose issuer is a UniversalString with an invalid code point', () => {
  const crl = crlWithIssuer(nameWith(UNIVERSAL, [0x00, 0x11, 0x00, 0x00]));

  it('parseCrl: an E_INPUT error, not a RangeError', () => {
    let err: unknown;
    try {
      parseCrl(crl, 'bad.crl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MtlsDoctorError);
    expect((err as MtlsDoctorError).code).toBe('E_INPUT');
    expect((err as Error).message).toMatch(/^Cannot parse bad\.crl: not a valid X\.509 CRL \(.*invalid code point/);
  });

  it('the library and the CLI: one clear line, exit 2', async () => {
    const m = await mesh();
    await expect(diagnose({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem, crls: toPem(crl, 'X509 CRL'), at: NOW })).rejects.toMatchObject({ code: 'E_INPUT' });
    const tmp = tempDir();
    try {
      const r = runCli(['diagnose', '--chain', tmp.file('c.pem', m.leaf.pem + m.inter.pem), '--trust', tmp.file('r.pem', m.root.pem), '--crl', tmp.file('bad.crl', crl)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^mtls-doctor: Cannot parse .*bad\.crl.*: not a valid X\.509 CRL/);
      expect(r.stderr).not.toMatch(/Internal error/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('Envoy admin answering JSON that is not an object', () => {
  let server: Server;
  let url = '';
  const bodies: Record<string, string> = {};
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each(['null', '42', '"text"', '[]', '[null]', '{"configs": null}', '{"configs": [null, 1, "x", []]}', '{"certificates": null}'])('%s on every endpoint: sources unavailable, no throw', async (body) => {
    server ??= await new Promise<Server>((resolve) => {
      const s = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(bodies.all);
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    bodies.all = body;
    const c = await collectProxy({ label: sourceLabel, envoyAdmin: url, agent: url, auto: false, env: {}, now: () => NOW, timeoutMs: 5000 });
    const secrets = c.sources.find((s) => s.name === 'envoy admin secrets')!;
    // A configs list with nothing usable in it is an answer ("no secrets"); anything else is unavailable.
    expect(secrets.status).toBe(body.startsWith('{"configs": [') ? 'ok' : 'unavailable');
    expect(c.chain).toBeNull();
  });
});
