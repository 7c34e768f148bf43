/**
 * One real test handshake with node:tls, turned into a plain HandshakeEvidence record. It never throws and
 * never outlives its deadline: every path ends in a classified outcome and destroyed sockets.
 */
import { connect as tlsConnect, type PeerCertificate, type TLSSocket, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { alertName, type CertificateRequestEvidence, type ServerFlight, type HandshakeAttempt, type HandshakeEvidence, type HandshakeOutcome, type HandshakePhase, type LocalVerification } from '../evidence/handshake.js';
import { toPem } from '../x509/pem.js';
import { clientHelloSessionId, describePlaintext, parseCertificateRequest, parseFirstFlight, Tap, type CertificateRequestInfo, type FirstFlight } from './tap.js';
import { decryptServerHandshake } from './tls13.js';
import { parseName } from '../x509/names.js';
import { readNode } from '../x509/der.js';
import type { ProbeTransport } from './transport.js';

export interface AttemptSpec {
  attempt: HandshakeAttempt;
  /** `HOST:PORT` as the user gave it. */
  peer: string;
  host: string;
  port: number;
  /** Resolved address (the caller resolves once for all attempts). */
  address: string;
  sni: string | null;
  alpn: string[];
  /** Our chain and key (PEM), for the workload attempt; the key lives only in memory. */
  cert?: string;
  key?: string;
  /** Our trust bundle (PEM certificates) to verify the peer with; empty: not checked. */
  trust: string[];
  wide?: boolean;
}

export interface AttemptLimits {
  connectMs: number;
  handshakeMs: number;
  /** Longest wait for a rejection after the handshake (the TLS 1.3 client-certificate alert). */
  readMs: number;
  /** Absolute deadline (ms since the epoch) no timer may pass. */
  deadline: number;
}

/** Every version and cipher suite OpenSSL has, for the wide attempt that learns what the peer accepts. */
const WIDE_CIPHERS =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256:ALL:@SECLEVEL=0';

/** OpenSSL verify codes (as Node names them) → OpenSSL's text, for evidence. */
const VERIFY_TEXT: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  HOSTNAME_MISMATCH: 'hostname mismatch',
};

/** Our own TLS stack aborted: OpenSSL reason → the alert it sends. */
const SENT_ALERTS: Record<string, number> = {
  ERR_SSL_UNSUPPORTED_PROTOCOL: 70,
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 70,
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 70,
  ERR_SSL_WRONG_CIPHER_RETURNED: 47,
  ERR_SSL_NO_SHARED_CIPHER: 40,
  ERR_SSL_NO_CIPHERS_AVAILABLE: 40,
};

const now = () => Date.now();

/** Runs one attempt. Always resolves. */
export async function runAttempt(spec: AttemptSpec, limits: AttemptLimits, transport: ProbeTransport): Promise<HandshakeEvidence> {
  const started = now();
  const sniName = spec.sni ?? (isIP(spec.host) ? null : spec.host);
  const base = {
    attempt: spec.attempt,
    peer: spec.peer,
    address: spec.address,
    sni: sniName,
    alpnOffered: [...spec.alpn],
    versionsOffered: spec.wide ? { min: 'TLSv1', max: 'TLSv1.3' } : { min: 'TLSv1.2', max: 'TLSv1.3' },
    ciphersOffered: spec.wide ? ('all' as const) : ('default' as const),
    clientCertificate: !!(spec.cert && spec.key),
  };
  const done = (r: Partial<HandshakeEvidence> & { outcome: HandshakeOutcome }): HandshakeEvidence => ({
    ...base,
    negotiated: null,
    peerChain: [],
    peerRequestedCertificate: null,
    localVerification: { checked: false, ok: false, code: null, reason: null },
    afterHandshake: null,
    ...r,
    durationMs: now() - started,
  });

  // TCP connect, bounded.
  const connectBudget = Math.max(1, Math.min(limits.connectMs, limits.deadline - now()));
  let raw: Duplex;
  try {
    raw = await withTimeout(transport.connect(spec.address, spec.port), connectBudget, (late) => late.destroy());
  } catch (e) {
    if (e === TIMEOUT) return done({ outcome: { kind: 'timeout', phase: 'connect', afterMs: now() - started } });
    const code = (e as NodeJS.ErrnoException)?.code ?? 'UNKNOWN';
    if (code === 'ECONNREFUSED') return done({ outcome: { kind: 'refused' } });
    if (code === 'ETIMEDOUT') return done({ outcome: { kind: 'timeout', phase: 'connect', afterMs: now() - started } });
    return done({ outcome: { kind: 'unreachable', code } });
  }

  const tap = new Tap(raw);
  const options: ConnectionOptions = {
    socket: tap,
    ALPNProtocols: spec.alpn.length ? spec.alpn : undefined,
    minVersion: spec.wide ? 'TLSv1' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // Verification is recorded, not enforced: the handshake must go on so that we learn what the peer thinks
    // of OUR certificate. Identity is judged by the facts (SPIFFE IDs), not by a hostname check.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    // An explicit (possibly empty) CA list: never the system roots, and nothing else completes the chain.
    ca: spec.trust,
  };
  if (sniName) options.servername = sniName;
  if (spec.wide) options.ciphers = WIDE_CIPHERS;
  if (spec.cert && spec.key) {
    options.cert = spec.cert;
    options.key = spec.key;
  }

  let sock: TLSSocket;
  try {
    sock = tlsConnect(options);
  } catch (e) {
    tap.destroy();
    const code = (e as NodeJS.ErrnoException)?.code ?? 'ERR';
    const reason = /KEY_VALUES_MISMATCH|key values mismatch/i.test(`${code} ${(e as Error)?.message}`)
      ? 'the private key does not match the certificate'
      : `our TLS settings were refused (${code})`;
    return done({ outcome: { kind: 'not-attempted', reason } });
  }

  return new Promise<HandshakeEvidence>((resolve) => {
    let secure = false;
    let settled = false;
    let negotiated: HandshakeEvidence['negotiated'] = null;
    let peerChain: string[] = [];
    let verification: LocalVerification = { checked: false, ok: false, code: null, reason: null };
    let afterHandshake: HandshakeEvidence['afterHandshake'] = null;
    let response = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    // TLS 1.3: the server handshake traffic secret, to read the server's encrypted flight (its CertificateRequest).
    // Key material: it stays in this closure, is used once in finish() and zeroed; never in evidence or logs.
    let serverHandshakeSecret: Buffer | null = null;
    sock.on('keylog', (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)\s*$/i.exec(line.toString('latin1'));
      if (m) serverHandshakeSecret = Buffer.from(m[1]!, 'hex');
    });

    const flight = () => parseFirstFlight(tap.state.head);
    const phase = (): HandshakePhase => (secure ? 'after-handshake' : flight().serverHello ? 'after-server-hello' : 'before-server-hello');

    const finish = (outcome: HandshakeOutcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const f = flight();
      if (f.certificates.length) peerChain = f.certificates.map((d) => toPem(d));
      if (afterHandshake && response.length) afterHandshake.firstLine = firstLine(response);
      const secret: Buffer | null = serverHandshakeSecret;
      serverHandshakeSecret = null;
      const { flight: serverFlight, finished } = readServerFlight(f, tap.state.head, tap.state.sent, secret);
      secret?.fill(0);
      sock.destroy();
      tap.destroy();
      // TLS 1.3: a decrypted flight up to the server's Finished says whether it asked for a certificate.
      const requested = f.certificateRequested ?? (serverFlight?.certificateRequest ? true : finished ? false : null);
      resolve(done({ outcome, negotiated, peerChain, peerRequestedCertificate: requested, localVerification: verification, serverFlight, afterHandshake }));
    };

    /** `peerClosed`: the peer ended the connection (rather than our read window running out). */
    const classifyEnd = (err: NodeJS.ErrnoException | null, peerClosed = false): HandshakeOutcome => {
      const f = flight();
      if (tap.state.received > 0 && f.notTls) {
        const p = describePlaintext(tap.state.head);
        return { kind: 'plaintext', looksLike: p.looksLike, sample: p.sample, bytes: tap.state.received };
      }
      const msg = err ? `${err.code ?? ''} ${err.message ?? ''}` : '';
      const alertNo = /SSL alert number (\d+)/.exec(msg);
      if (alertNo) {
        const n = Number(alertNo[1]);
        return { kind: 'alert-received', alert: n, name: alertName(n), phase: phase() };
      }
      if (f.plainAlert) return { kind: 'alert-received', alert: f.plainAlert.description, name: alertName(f.plainAlert.description), phase: phase() };
      if (secure && response.length) {
        const rejected = httpRejection(response);
        if (rejected) return rejected;
      }
      const rawCode = tap.state.rawError?.code ?? err?.code;
      if (rawCode === 'ECONNRESET' || rawCode === 'EPIPE') return { kind: 'reset', phase: phase() };
      if (err && err.code && SENT_ALERTS[err.code] !== undefined) {
        const n = SENT_ALERTS[err.code]!;
        return { kind: 'alert-sent', alert: n, name: alertName(n), phase: phase(), code: err.code };
      }
      if (err && err.code && err.code !== 'ECONNRESET' && !/socket disconnected|socket hang up/i.test(err.message ?? '')) {
        return { kind: 'tls-error', code: err.code, message: (err.message ?? '').split('\n')[0]!.replace(/:\.\.\/deps\/openssl\S*/g, '').slice(0, 200), phase: phase() };
      }
      // Closed right after the handshake without a word: the peer dropped us (a node:tls server that rejects a
      // client certificate closes without an alert). An answer, or an open connection, is a success.
      if (secure && !(peerClosed && response.length === 0)) return { kind: 'success' };
      return { kind: tap.state.rawError ? 'reset' : 'eof', phase: phase() };
    };

    timer = setTimeout(() => finish({ kind: 'timeout', phase: 'handshake', afterMs: now() - started }), Math.max(1, Math.min(limits.handshakeMs, limits.deadline - now())));

    sock.on('secureConnect', () => {
      secure = true;
      clearTimeout(timer);
      const cipher = sock.getCipher();
      negotiated = { version: sock.getProtocol() ?? 'unknown', cipher: cipher?.standardName ?? cipher?.name ?? 'unknown', alpn: typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null };
      peerChain = nodePeerChain(sock, spec.trust);
      if (spec.trust.length && peerChain.length) {
        const code = authorizationCode(sock);
        verification = { checked: true, ok: code === null, code, reason: code ? (VERIFY_TEXT[code] ?? code.toLowerCase().replace(/_/g, ' ')) : null };
      }
      // A minimal request, so that a server that judges our certificate only after the handshake (TLS 1.3, or
      // nginx answering in HTTP) shows it. Nothing else is ever sent.
      const alpn = negotiated.alpn;
      if (alpn === 'h2') {
        sock.write(H2_PREFACE);
        afterHandshake = { wrote: 'h2-preface', firstLine: null };
      } else if (alpn === null || /^http\/1\.[01]$/.test(alpn)) {
        sock.write(`GET / HTTP/1.1\r\nHost: ${sniName ?? spec.host}\r\nUser-Agent: mtls-doctor-probe\r\nConnection: close\r\n\r\n`);
        afterHandshake = { wrote: 'http/1.1', firstLine: null };
      } else {
        afterHandshake = { wrote: 'nothing', firstLine: null };
      }
      // The peer's verdict on our certificate is waited for by what we read, never by how long the handshake took
      // (that depends on the machine's load): in TLS 1.2 the server had judged our certificate before its
      // Finished; in TLS 1.3 it judges it after ours, and then sends a NewSessionTicket (accepted) or an alert.
      // An HTTP request we wrote is answered (nginx refuses a missing certificate in HTTP, after the handshake).
      // The read bound only decides "no verdict seen" (a quiet peer, taken as accepted).
      const tls13 = negotiated.version === 'TLSv1.3';
      const waitsForAnswer = afterHandshake.wrote !== 'nothing';
      if (!tls13 && !waitsForAnswer) return settle('handshake', classifyEnd(null));
      ticketSettles = !waitsForAnswer;
      timer = setTimeout(() => settle('quiet', classifyEnd(null)), Math.max(1, Math.min(limits.readMs, limits.deadline - now())));
    });
    let ticketSettles = false;
    const settle = (by: NonNullable<NonNullable<HandshakeEvidence['afterHandshake']>['settledBy']>, outcome: HandshakeOutcome) => {
      if (afterHandshake && !settled) afterHandshake.settledBy = outcome.kind === 'alert-received' ? 'alert' : by;
      finish(outcome);
    };
    // TLS 1.3: a NewSessionTicket comes only after the server verified our certificate and Finished.
    sock.on('session', () => {
      if (ticketSettles) settle('ticket', classifyEnd(null));
    });
    sock.on('data', (b: Buffer) => {
      if (response.length < 4096) response = Buffer.concat([response, b.subarray(0, 4096 - response.length)]);
      if (afterHandshake?.wrote !== 'http/1.1') return settle('answer', classifyEnd(null));
      // A complete HTTP head is enough to judge, except a 400 whose body says why (nginx); read that too.
      const text = response.toString('latin1');
      const waitBody = /^HTTP\/\d(?:\.\d)? (400|495|496)/.test(text) && !/<\/html>/i.test(text) && response.length < 4096;
      if (text.includes('\r\n\r\n') && !waitBody) settle('answer', classifyEnd(null));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => (secure ? settle('alert', classifyEnd(e)) : finish(classifyEnd(e))));
    sock.on('end', () => (secure ? settle('close', classifyEnd(null, true)) : finish(classifyEnd(null, true))));
    sock.on('close', () => (secure ? settle('close', classifyEnd(null, true)) : finish(classifyEnd(null, true))));
  });
}

/** What the peer's flight showed: the ServerHello, and the CertificateRequest (in clear, or decrypted in 1.3). */
export function readServerFlight(f: FirstFlight, head: Buffer, sent: Buffer, secret: Buffer | null): { flight: ServerFlight | null; finished: boolean } {
  if (!f.serverHello || f.cipherSuite === null) return { flight: null, finished: false };
  const ours = clientHelloSessionId(sent);
  const sessionId: ServerFlight['sessionId'] = !f.sessionId || f.sessionId.length === 0 ? 'empty' : ours && ours.equals(f.sessionId) ? 'echoed' : 'new';
  let finished = false;
  const out: ServerFlight = { version: f.serverVersion, cipherSuite: f.cipherSuite, sessionId, helloExtensions: f.serverExtensions, encryptedExtensions: null, certificateRequest: null };
  if (f.certificateRequest) out.certificateRequest = requestEvidence(f.certificateRequest, 'clear');
  if (f.serverVersion === 'TLSv1.3' && secret) {
    const messages = decryptServerHandshake(head, f.cipherSuite, secret);
    for (const m of messages) {
      if (m.type === 8) out.encryptedExtensions = extensionTypes(m.body);
      if (m.type === 13) {
        const req = parseCertificateRequest(m.body, true);
        if (req) out.certificateRequest = requestEvidence(req, 'decrypted');
      }
    }
    finished = messages.some((m) => m.type === 20);
  }
  return { flight: out, finished };
}

function requestEvidence(r: CertificateRequestInfo, read: 'clear' | 'decrypted'): CertificateRequestEvidence {
  return {
    read,
    certificateTypes: r.certificateTypes,
    signatureAlgorithms: r.signatureAlgorithms,
    extensions: r.extensions,
    authorities: r.authorities.slice(0, 64).map((der) => {
      let name: string;
      try {
        name = parseName(readNode(der)).text;
      } catch {
        name = `(undecodable name, ${der.length} bytes)`;
      }
      return { name, der: der.toString('base64') };
    }),
  };
}

function extensionTypes(body: Buffer): number[] {
  const out: number[] = [];
  if (body.length < 2) return out;
  const end = Math.min(body.length, 2 + body.readUInt16BE(0));
  let p = 2;
  while (p + 4 <= end) {
    out.push(body.readUInt16BE(p));
    p += 4 + body.readUInt16BE(p + 2);
  }
  return out;
}

const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** nginx with ssl_verify_client refuses in HTTP, after a successful handshake. */
function httpRejection(res: Buffer): HandshakeOutcome | null {
  const text = res.toString('latin1');
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text);
  if (!m) return null;
  const status = Number(m[1]);
  if (status === 400 || status === 495 || status === 496) {
    if (/No required SSL certificate was sent/i.test(text) || status === 496) {
      return { kind: 'rejected-after-handshake', via: 'http', status, reason: 'no-client-certificate', detail: 'No required SSL certificate was sent' };
    }
    if (/The SSL certificate error/i.test(text) || status === 495) {
      return { kind: 'rejected-after-handshake', via: 'http', status, reason: 'certificate-error', detail: 'The SSL certificate error' };
    }
  }
  return null;
}

function firstLine(b: Buffer): string {
  const t = b.subarray(0, 200).toString('latin1');
  return (t.split(/\r?\n/)[0] ?? '').replace(/[^\x20-\x7e]/g, '.').slice(0, 120);
}

function authorizationCode(sock: TLSSocket): string | null {
  if (sock.authorized) return null;
  const e = sock.authorizationError as unknown;
  if (!e) return null;
  if (typeof e === 'string') return e;
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message ?? 'UNKNOWN';
}

/**
 * The chain Node reports, leaf first along issuer links. Node completes the path from our own trust store;
 * those trailing certificates were not presented by the peer and are left out.
 */
function nodePeerChain(sock: TLSSocket, trust: string[]): string[] {
  let cert: PeerCertificate | undefined;
  try {
    cert = sock.getPeerCertificate(true) as PeerCertificate;
  } catch {
    return [];
  }
  if (!cert || !cert.raw) return [];
  const ders: Buffer[] = [];
  const seen = new Set<string>();
  let c: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = cert;
  while (c && c.raw && !seen.has(c.fingerprint256) && ders.length < 16) {
    seen.add(c.fingerprint256);
    ders.push(c.raw);
    c = c.issuerCertificate;
  }
  const trusted = new Set(trust.map((p) => p.replace(/\s+/g, '')));
  const pems = ders.map((d) => toPem(d));
  while (pems.length > 1 && trusted.has(pems[pems.length - 1]!.replace(/\s+/g, ''))) pems.pop();
  return pems;
}

export const TIMEOUT = Symbol('timeout');

/** Races a promise against a timer; a value that arrives too late is handed to `late` (to close it). */
export function withTimeout<T>(p: Promise<T>, ms: number, late?: (v: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let over = false;
    const t = setTimeout(() => {
      over = true;
      reject(TIMEOUT);
    }, ms);
    p.then(
      (v) => {
        if (over) late?.(v);
        else {
          clearTimeout(t);
          resolve(v);
        }
      },
      (e) => {
        if (!over) {
          clearTimeout(t);
          reject(e);
        }
      },
    );
  });
}
