import { describe, expect, it } from 'vitest';
import { parseAlpn, parsePeer } from '../../src/probe/probe.js';
import { describePlaintext, isTlsRecordStart, parseFirstFlight } from '../../src/probe/tap.js';
import { MtlsDoctorError } from '../../src/errors.js';

describe('parsePeer', () => {
  it.each([
    ['reviews.bookinfo.svc.cluster.local:9080', 'reviews.bookinfo.svc.cluster.local', 9080],
    ['127.0.0.1:1', '127.0.0.1', 1],
    ['[::1]:65535', '::1', 65535],
    [' localhost:8443 ', 'localhost', 8443],
  ])('%s', (text, host, port) => {
    expect(parsePeer(text)).toMatchObject({ host, port });
  });
  it.each(['reviews', ':80', 'host:', 'host:65536', 'host:-1', '[zz]:80', 'a b:80', 'http://x:80', '::1:80'])('rejects %s as usage (exit 2)', (text) => {
    expect(() => parsePeer(text)).toThrowError(MtlsDoctorError);
    try {
      parsePeer(text);
    } catch (e) {
      expect((e as MtlsDoctorError).code).toBe('E_USAGE');
      expect((e as Error).message).toMatch(/^Cannot use --peer "/);
    }
  });
});

describe('parseAlpn', () => {
  it('splits comma lists and repeated flags', () => expect(parseAlpn(['h2,http/1.1', 'istio'])).toEqual(['h2', 'http/1.1', 'istio']));
  it('undefined means the default', () => expect(parseAlpn(undefined)).toBeNull());
  it('rejects spaces', () => expect(() => parseAlpn(['a b'])).toThrowError(/ALPN protocol id/));
});

describe('first-flight parsing', () => {
  it('tells TLS records from plaintext', () => {
    expect(isTlsRecordStart(Buffer.from('160303', 'hex'))).toBe(true);
    expect(isTlsRecordStart(Buffer.from('HTTP/1.1 400'))).toBe(false);
  });
  it('reads a plaintext alert before the ServerHello', () => {
    expect(parseFirstFlight(Buffer.from('15030300020278', 'hex')).plainAlert).toEqual({ level: 2, description: 120 });
  });
  it('never throws on truncated input and notes a ServerHello that began', () => {
    const f = parseFirstFlight(Buffer.from('1603034000020000460303aabb', 'hex'));
    expect(f.serverHello).toBe(true);
    expect(f.certificates).toEqual([]);
  });
  it('samples text and binary', () => {
    expect(describePlaintext(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toEqual({ looksLike: 'http', sample: 'HTTP/1.1 400 Bad Request' });
    expect(describePlaintext(Buffer.from([0, 1, 2, 255])).looksLike).toBe('binary');
  });
});
