/**
 * Recognisers added for the corpus of real incidents (issue 20): what a stack read instead of what it expected
 * (Netty's SslHandler and HTTP/2 codec, Java's SSL engine, grpc-go and Go's http2 server), gRPC-Java failing to
 * set up ALPN for a TLS channel, no route to the peer, Envoy's downstream protocol error under a TLS client, and
 * redacted names in Go's "certificate is valid for …". Each family is asserted on its general shape — other
 * byte sequences, other spellings of one message — not on the corpus's own strings.
 */
import { describe, expect, it } from 'vitest';
import { explainText } from '../../src/explain/explain.js';
import { decodeErrorText } from '../../src/explain/decode.js';
import { classifyFirstBytes } from '../../src/explain/recognisers.js';

const AT = { at: '2026-11-29T03:00:00Z' };
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const ranked = (t: string) => explainText(t, AT).findings.map((f) => f.rule);
const CERT_STAGES = ['expiry', 'chain', 'san', 'key-usage'];

describe('classifyFirstBytes: what the first bytes a stack quoted are', () => {
  it('TLS records, what a client sends first, what a server sends first, anything else', () => {
    expect(classifyFirstBytes(hex('160301020001'))).toBe('tls-handshake');
    expect(classifyFirstBytes(hex('1603030045'))).toBe('tls-handshake');
    expect(classifyFirstBytes(hex('150303000202'))).toBe('tls-alert');
    expect(classifyFirstBytes(ascii('GET /healthz HTTP/1.1\r\n'))).toBe('http-request');
    expect(classifyFirstBytes(ascii('POST /pkg.Svc/Call HTTP/1.1\r\n'))).toBe('http-request');
    expect(classifyFirstBytes(ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('h2-preface');
    expect(classifyFirstBytes(ascii('HTTP/1.0 400 Bad Request\r\n'))).toBe('http-response');
    // A plaintext HTTP/2 server's first frame: SETTINGS (type 4) on stream 0; GOAWAY (type 7) likewise.
    expect(classifyFirstBytes(hex('000006040000000000000300000064'))).toBe('h2-frames');
    expect(classifyFirstBytes(hex('0000080700000000000000000000000001'))).toBe('h2-frames');
    // A length-prefixed protobuf on a port that expected HTTP/2: neither TLS nor HTTP.
    expect(classifyFirstBytes(hex('0000002f122d080112290a1e'))).toBe('other');
    expect(classifyFirstBytes(hex('1603'))).toBeNull();
  });
});

describe("Netty's NotSslRecordException and Java's 'Unrecognized SSL message': the quoted bytes tell the direction", () => {
  it('an HTTP response read by a TLS client: the server is plaintext', () => {
    const t = `io.netty.handler.ssl.NotSslRecordException: not an SSL/TLS record: ${Buffer.from('HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\n').toString('hex')}`;
    const r = explainText(t, AT);
    expect(r.proves).toMatchObject({ rejection: 'no-tls', writer: 'client', certain: true });
    expect(r.proves!.decoded.join(' ')).toContain('"HTTP/1.1 502 Bad Gateway"');
    expect(r.findings[0]!.rule).toBe('transport/peer-not-tls');
  });

  it('HTTP/2 frames from a plaintext (h2c) gRPC server read by a TLS client: the server is plaintext', () => {
    const r = explainText('Caused by: io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException: not an SSL/TLS record: 00001204000000000000037fffffff000400100000000600002000', AT);
    expect(r.proves!.writer).toBe('client');
    expect(r.findings[0]!.rule).toBe('transport/peer-not-tls');
  });

  it('an HTTP request read by a TLS server: the client is the one not speaking TLS (the other direction)', () => {
    const t = `io.netty.handler.codec.DecoderException: io.netty.handler.ssl.NotSslRecordException: not an SSL/TLS record: ${Buffer.from('GET /metrics HTTP/1.1\r\nHost: x\r\n').toString('hex')}`;
    const r = explainText(t, AT);
    expect(r.proves).toMatchObject({ rejection: 'no-tls', writer: 'server' });
    expect(r.proves!.who).toMatch(/received plaintext/);
    expect(r.findings.map((f) => f.rule)).not.toContain('transport/peer-not-tls');
  });

  it('without the bytes the direction is not proved: a lower level, still TLS met plaintext', () => {
    const bare = decodeErrorText('io.netty.handler.ssl.NotSslRecordException: not an SSL/TLS record');
    const withBytes = decodeErrorText(`io.netty.handler.ssl.NotSslRecordException: not an SSL/TLS record: ${Buffer.from('HTTP/1.1 200 OK\r\n').toString('hex')}`);
    expect(bare.primary[0]!.level).toBeLessThan(withBytes.primary[0]!.level);
    expect(bare.primary[0]!.notes.join(' ')).toMatch(/does not say which side/);
    expect(ranked('javax.net.ssl.SSLException: Unrecognized SSL message, plaintext connection?')[0]).toBe('transport/peer-not-tls');
  });
});

describe('a plaintext HTTP/2 server that did not get the HTTP/2 preface', () => {
  it("Netty's codec quoting a ClientHello: the client speaks TLS to a plaintext port", () => {
    const r = explainText('io.netty.handler.codec.http2.Http2Exception: HTTP/2 client preface string missing or corrupt. Hex dump for received bytes: 16030100f4010000f00303c1', AT);
    expect(r.proves!.signals).toEqual(['tls-to-plaintext-port']);
    expect(r.proves!.decoded.join(' ')).toContain('16 03 01 00 f4 01');
    expect(r.findings[0]!.rule).toBe('transport/peer-not-tls');
  });

  it("grpc-go's and Go http2's 'bogus greeting' with Go-quoted bytes read the same way", () => {
    for (const t of [
      'transport: http2Server.HandleStreams received bogus greeting from client: "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03"',
      'http2: server: error reading preface from client 10.1.2.3:51234: bogus greeting "\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00"',
    ]) {
      const r = explainText(t, AT);
      expect(r.proves!.signals, t).toEqual(['tls-to-plaintext-port']);
      expect(r.proves!.stacks, t).toContain('go');
      expect(r.findings[0]!.rule, t).toBe('transport/peer-not-tls');
    }
  });

  it('without bytes: a hypothesis led by a TLS client, written by the server; HTTP/1.1 bytes read as such', () => {
    const r = explainText('io.netty.handler.codec.http2.Http2Exception: HTTP/2 client preface string missing or corrupt. Hex dump for received bytes:', AT);
    expect(r.proves).toMatchObject({ writer: 'server', certain: false, signals: ['h2-preface-missing'] });
    expect(r.findings[0]!.rule).toBe('transport/peer-not-tls');
    expect(CERT_STAGES).not.toContain(r.findings[0]!.stage);
    const h1 = explainText('transport: http2Server.HandleStreams received bogus greeting from client: "GET / HTTP/1.1\\r\\nHost: a\\r\\n"', AT);
    expect(h1.proves!.signals).toEqual(['h2-preface-missing']);
    expect(h1.proves!.decoded.join(' ')).toContain('an HTTP/1.x request: "GET / HTTP/1.1"');
  });
});

describe('gRPC-Java could not set up ALPN for a TLS channel', () => {
  it('each spelling: the client is configured for TLS; a plaintext server or a runtime without ALPN, never a certificate', () => {
    for (const t of [
      'java.lang.IllegalArgumentException: Could not find Jetty NPN/ALPN or Conscrypt as installed JDK providers',
      'java.lang.IllegalArgumentException: Jetty ALPN/NPN has not been properly configured.\n\tat io.grpc.netty.GrpcSslContexts.selectApplicationProtocolConfig(GrpcSslContexts.java:174)',
      'ALPN is not configured properly',
    ]) {
      const r = explainText(t, AT);
      expect(r.proves, t).toMatchObject({ writer: 'client', rejection: 'local-setup', certain: false });
      expect(r.findings.slice(0, 2).map((f) => f.rule).sort(), t).toEqual(['transport/alpn-mismatch', 'transport/peer-not-tls']);
      expect(r.decide![0]!.command, t).toContain('--alpn h2');
    }
  });
});

describe('no route to the peer', () => {
  it("Go's, Node's and the kernel's spellings read as unreachable, not as TLS", () => {
    for (const t of [
      'Get "https://10.19.0.41:10250/containerLogs/default/x/y": dial tcp 10.19.0.41:10250: connect: no route to host',
      'Error: connect EHOSTUNREACH 10.0.3.7:8443',
      'dial tcp 172.16.0.9:15012: connect: network is unreachable',
    ]) {
      const r = explainText(t, AT);
      expect(r.proves!.rejection, t).toBe('no-connection');
      expect(r.findings[0]!.rule, t).toBe('transport/peer-unreachable');
    }
  });
});

describe("Envoy's downstream protocol error under a TLS client", () => {
  it('DPE with the client\'s own "wrong version number": the port is declared HTTP and the client speaks TLS', () => {
    for (const t of [
      'curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number\n[2026-11-29T02:59:01.000Z] "- - HTTP/1.1" 400 DPE http1.codec_error - "-" 0 11 0 - "-" "-" "-" "-" "-" - - 10.0.0.5:443 10.0.0.9:41234 - -',
      'Get "https://api.example.com/": tls: first record does not look like a TLS handshake\n"- - HTTP/1.1" 400 DPE',
    ]) {
      const r = explainText(t, AT);
      expect(r.proves!.signals, t).toEqual(['tls-to-http-port']);
      expect(r.findings[0]!.rule, t).toBe('policy/port-protocol-selection');
    }
  });

  it('a DPE alone is a protocol error, not a TLS client on an HTTP port', () => {
    const r = explainText('"POST /api HTTP/1.1" 400 DPE http1.codec_error', AT);
    expect(r.proves!.signals).not.toContain('tls-to-http-port');
  });
});

describe("Go's 'certificate is valid for …' with redacted names", () => {
  it('a placeholder where the names were does not make the server another one', () => {
    for (const names of ['xxxxxx', 'REDACTED', '<your-host>', '***']) {
      const t = `x509: certificate is valid for ${names}, not linkerd-proxy-injector.linkerd.svc`;
      expect(ranked(t)[0], t).toBe('san/identity-mismatch');
    }
    // Real names that do not relate to the dialled host still read as another server answering.
    expect(ranked('x509: certificate is valid for kubelet.node-7.internal, not cert-manager-webhook.cert-manager.svc')[0]).toBe('transport/unexpected-server');
  });
});
