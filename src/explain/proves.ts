/**
 * What a pasted error proves before any guess at its cause: who refused whom, at which step, which software
 * wrote it, the alert or the verifier's own reason. Pure: the decoded signals (signals.ts) and the text.
 */
import type { Proven } from '../model/finding.js';
import type { DecodedSignals } from './signals.js';
import { describeStep } from './signals.js';

/** Which software printed a paste, from marks each one leaves (its file names, prefixes, code shapes). */
const STACK_MARKS: ReadonlyArray<[string, RegExp]> = [
  ['envoy/boringssl', /OPENSSL_internal|TLS_error|upstream connect error|upstream_reset_before_response_started|\bistio-envoy\b|server: ?\[?envoy|envoy_|\[C\d+\]|filter_chain|conn_handler|outbound\|\d+\||inbound\|\d+\||delayed connect error|\b[0-9]{3} (?:UF|UC|UH|NR|UO|URX|UPE|DC)\b|response_flags/],
  ['istio', /istioctl|istio-proxy|\bistiod?\b|PeerAuthentication|DestinationRule|Secret is not supplied by SDS|Secret_is_not_supplied_by_SDS|BlackHoleCluster|PassthroughCluster/],
  ['grpc-core', /ssl_transport_security\.cc|Handshake failed with fatal error|Cannot check peer|Peer name \S+ is not in peer certificate|_InactiveRpcError|StatusCode\.UNAVAILABLE|failed to connect to all addresses/],
  ['go', /\bx509: |\btls: [a-z]|http: TLS handshake error from|http: server gave HTTP response|net\/http: |dial tcp [^\s]+: |context deadline exceeded|GODEBUG/],
  ['grpc-go', /transport: authentication handshake failed|rpc error: code = /],
  ['spire', /x509svid|Workload API|X509Source|spire-(?:agent|server)|no identity issued|SVID/],
  ['linkerd', /linkerd|LINKERD2_|trust anchors?/],
  ['rustls', /invalid peer certificate|InvalidCertificate\(|AlertReceived\(|received fatal alert: [A-Z][a-z]+[A-Z]|PeerIncompatible/],
  ['nginx', /while SSL handshaking to upstream|SSL_do_handshake\(\) failed|while connecting to upstream|The plain HTTP request was sent to HTTPS port|No required SSL certificate was sent|nginx\//],
  ['curl', /\bcurl: \(\d+\)|SSL certificate problem: |^\* .*(?:TLS|SSL)/m],
  ['openssl', /error:[0-9A-Fa-f]{8}:|SSL routines:|SSL alert number|X509_V_ERR_|s_client|verify error:num=/],
  ['gnutls', /gnutls_handshake|GnuTLS/],
  ['java', /javax\.net\.ssl|SSLHandshakeException|PKIX path building failed|sun\.security|java\.(?:lang|util)\./],
  ['node', /\bERR_TLS_|\bERR_SSL_|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|socket hang up|\bECONNRESET\b/],
  ['python', /_ssl\.c:\d+|SSLError|SSLCertVerificationError|requests\.exceptions/],
  ['browser', /NET::ERR_|\bERR_SSL_|SSL_ERROR_[A-Z_]+_ALERT|SEC_ERROR_/],
  ['kubernetes', /failed calling webhook|Internal error occurred|kubectl|Unable to connect to the server|reflector\.go|client-go|kubelet/],
];

export function stacksOf(text: string, families: readonly string[]): string[] {
  const out = new Set<string>();
  for (const [name, re] of STACK_MARKS) if (re.test(text)) out.add(name);
  // A recogniser's family names the stack whose text it matched (rustls names, Java exceptions…).
  for (const f of families) {
    const name = f === 'boringssl' || f === 'envoy' ? 'envoy/boringssl' : f === 'openssl/boringssl' ? '' : f === 'socket' || f === 'generic' || f === 'decoded' ? '' : f;
    if (name) out.add(name);
  }
  // BoringSSL's codes look like OpenSSL's; Envoy wrote them.
  if (out.has('envoy/boringssl')) out.delete('openssl');
  return [...out];
}

/** Which side printed the text, where it says so. */
export function writerOf(text: string, d: DecodedSignals): Proven['writer'] {
  if (/\binbound\|\d+\||filter_chain_not_found|no matching filter chain|http: TLS handshake error from|remote address:[\d.]+:\d{4,5},|The plain HTTP request was sent to HTTPS port|No required SSL certificate was sent|closing connection from/.test(text)) return 'server';
  if (/\boutbound\|\d+\||while SSL handshaking to upstream|while connecting to upstream|upstream connect error|\bcurl: \(\d+\)|SSL certificate problem|failed calling webhook|Unable to connect to the server|\bdial tcp\b/.test(text)) return 'client';
  // Only a TLS server can receive a plaintext request on a TLS port; only a client reads a plaintext reply.
  if (d.signals.includes('plaintext-request')) return 'server';
  if (d.signals.includes('plaintext-reply')) return 'client';
  // A server reads the HTTP/2 preface; only a client builds a TLS channel's ALPN.
  if (d.signals.includes('h2-preface-missing')) return 'server';
  if (d.signals.includes('tls-client-alpn-unavailable')) return 'client';
  return 'unknown';
}

const other = (w: Proven['writer']) => (w === 'client' ? 'the server' : w === 'server' ? 'the client' : 'the peer');
const self = (w: Proven['writer']) => (w === 'client' ? 'the client (which printed this)' : w === 'server' ? 'the server (which printed this)' : 'the side that printed this');

function whoOf(d: DecodedSignals, writer: Proven['writer']): string {
  const me = self(writer);
  const peer = other(writer);
  if (d.signals.includes('plaintext-request')) return `${writer === 'unknown' ? 'The TLS server' : cap(me)} received plaintext (an HTTP request) where it expects TLS: the client does not speak TLS to this port.`;
  if (d.signals.includes('plaintext-reply')) return `${cap(me)} spoke TLS and ${peer} answered in plaintext: ${peer} does not speak TLS on this port.`;
  if (d.signals.includes('tls-to-plaintext-port')) return `A plaintext server${writer === 'server' ? ' (which printed this)' : ''} received a TLS ClientHello: the client speaks TLS to a port that does not.`;
  if (d.signals.includes('tls-to-http-port')) return `The client spoke TLS to a port its proxy parses as HTTP: the proxy could not read the ClientHello as a request (DPE) and answered in plaintext. The port's declared protocol, not the server, is at fault.`;
  if (d.signals.includes('h2-preface-missing')) return `A plaintext HTTP/2 (gRPC) server${writer === 'server' ? ' (which printed this)' : ''} read something other than the HTTP/2 preface: most often the client speaks TLS to it, else HTTP/1.1.`;
  if (d.signals.includes('tls-client-alpn-unavailable')) return `The client${writer === 'client' ? ' (which printed this)' : ''} is configured for TLS and could not set up ALPN; no connection was refused yet. Either the server is plaintext and the client must not use TLS, or its runtime lacks ALPN.`;
  if (d.signals.includes('no-filter-chain')) return `The server's listener${writer === 'server' ? ' (which printed this)' : ''} had no filter chain for the client's connection: plaintext into a port that accepts only mTLS, or TLS it does not expect. The client was refused, not the server.`;
  if (d.signals.includes('no-filter-chain-tls')) return `The server's listener had no filter chain for the client's TLS connection: the server name (SNI) or ALPN it sent matches none. The client was refused.`;
  switch (d.rejection) {
    case 'peer-rejected-ours':
      return `${cap(peer)} refused ${me === 'the side that printed this' ? 'our' : `${me.replace(/ \(which printed this\)/, '')}'s`} certificate or handshake${d.alert ? ` (it sent alert ${d.alert.number} ${d.alert.name})` : ''}.`;
    case 'we-rejected-peers':
      return `${cap(me)} refused the certificate ${peer} presented.`;
    case 'no-tls':
      return `TLS met plaintext between ${me} and ${peer} (or no listener matched the connection).`;
    case 'no-connection':
      return `${cap(me)} never reached ${peer}: no TCP connection (refused, unreachable, unresolvable or timed out).`;
    case 'local-setup':
      return `${cap(me)} had no usable certificate of its own to present: nothing was rejected yet.`;
    default:
      return `The connection failed; the text does not say who refused whom.`;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The verifier's own reason, when the text states one. */
function verifyCodeOf(d: DecodedSignals): string | null {
  const m = d.matches.find((x) => /^(?:x509|go|rustls|java|curl):/.test(x.code) && x.signal.startsWith('verify:') && x.signal !== 'verify:failed');
  if (!m) return null;
  const note = m.notes.find((n) => n.startsWith('X509_V_ERR_'));
  return note ?? m.code;
}

export function provenOf(text: string, d: DecodedSignals): Proven {
  const writer = writerOf(text, d);
  return {
    rejection: d.signals.includes('plaintext-request') || d.signals.includes('plaintext-reply') ? 'no-tls' : d.rejection,
    who: d.recognised ? whoOf(d, writer) : 'The text names no TLS failure this tool recognises; it proves nothing about who refused whom.',
    writer,
    step: d.step,
    stacks: stacksOf(text, d.matches.map((m) => m.family)),
    alert: d.alert,
    verifyCode: verifyCodeOf(d),
    certain: d.certain,
    // The alert is said once, as `alert`.
    decoded: [...new Set(d.matches.flatMap((m) => m.notes))].filter((n) => !/^TLS alert \d+ /.test(n)).slice(0, 6),
    signals: [...d.signals],
  };
}

export { describeStep };
