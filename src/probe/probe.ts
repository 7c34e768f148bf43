/**
 * `diagnose --peer HOST:PORT`: real test handshakes with the peer, as the workload (its own chain and key,
 * in memory only) and anonymously (to learn whether the peer demands a client certificate), with the mesh
 * ALPN. A fixed, small number of handshakes: the two above run side by side, and one more ("wide": every
 * version and cipher suite) only when the first ones failed in negotiation. No retries, and a total budget.
 */
import { isIP } from 'node:net';
import { usageError } from '../errors.js';
import { seconds } from '../model/time.js';
import { MESH_ALPN, type HandshakeEvidence, type HandshakeOutcome } from '../evidence/handshake.js';
import type { SourceRecord } from '../evidence/types.js';
import { runAttempt, TIMEOUT, withTimeout, type AttemptLimits, type AttemptSpec } from './handshake.js';
import { defaultTransport, type ProbeTransport } from './transport.js';
import { describePeerStack, detectPeerStack } from '../evidence/peer-stack.js';
import { expired, timedOut, budgetText, within, type Deadline } from '../model/deadline.js';

export interface PeerAddress {
  host: string;
  port: number;
  /** As the user wrote it, for evidence. */
  text: string;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

/** Parses `HOST:PORT` or `[IPv6]:PORT`; bad input is a usage error (exit 2) naming the valid form. */
export function parsePeer(text: string, flag = '--peer'): PeerAddress {
  const form = `expected HOST:PORT, e.g. reviews.bookinfo.svc.cluster.local:9080 or [::1]:8443`;
  const s = String(text ?? '').trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:([^:]*)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
    if (isIP(host) !== 6) throw usageError(`Cannot use ${flag} "${s}": "${host}" is not an IPv6 address; ${form}`);
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0 || s.indexOf(':') !== i) throw usageError(`Cannot use ${flag} "${s}": ${s.includes('://') ? 'give HOST:PORT, not a URL' : 'no port'}; ${form}`);
    host = s.slice(0, i);
    portText = s.slice(i + 1);
    if (isIP(host) !== 4 && !HOST.test(host)) throw usageError(`Cannot use ${flag} "${s}": "${host}" is not a host name or IP address; ${form}`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw usageError(`Cannot use ${flag} "${s}": port "${portText}" is not a number; ${form}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw usageError(`Cannot use ${flag} "${s}": port ${port} is out of range (1-65535)`);
  return { host, port, text: s };
}

/** Parses `--alpn h2,http/1.1`; an empty list means "offer no ALPN". */
export function parseAlpn(list: string | string[] | undefined): string[] | null {
  if (list === undefined) return null;
  const items = (Array.isArray(list) ? list : [list]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
  for (const p of items) {
    if (p.length > 255 || /[^\x21-\x7e]/.test(p)) throw usageError(`Cannot use --alpn "${p}": an ALPN protocol id is 1-255 printable characters, e.g. istio,istio-peer-exchange or h2,http/1.1`);
  }
  return items;
}

export interface ProbeOptions {
  peer: PeerAddress | string;
  /** SNI to send (default: the host when it is a name; none for an IP). */
  sni?: string | null;
  /** ALPN to offer (default: the mesh ALPN, istio-peer-exchange and istio). */
  alpn?: string[] | null;
  /** The workload's chain (PEM, leaf first) and key (PEM): kept in memory, used only for the workload handshake. */
  chain?: string;
  key?: string;
  /** Our trust bundle as PEM certificates: verifies what the peer presents. */
  trust?: string[];
  transport?: ProbeTransport;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Longest wait after the handshake for a late rejection (TLS 1.3). */
  readTimeoutMs?: number;
  /** Total budget for the whole probe, resolution included. */
  budgetMs?: number;
  /** The whole diagnosis's deadline (issue 22): no wait of the probe passes it, whatever is left of `budgetMs`. */
  deadline?: Deadline;
}

export interface ProbeResult {
  handshakes: HandshakeEvidence[];
  source: SourceRecord;
}

export const PROBE_DEFAULTS = { connectTimeoutMs: 3000, handshakeTimeoutMs: 5000, readTimeoutMs: 1000, budgetMs: 10_000 } as const;

/** At most this many handshakes per diagnosis: workload, anonymous, and one wide attempt. */
export const MAX_HANDSHAKES = 3;

/** What the probe gives the judgement: said, when it timed out, as what was not judged because of it. */
const NOT_JUDGED = "the peer's chain and its verdict on ours (the transport stage: what the handshake shows)";

/** Probes a peer. Never throws for a network problem: every failure is a classified outcome. */
export async function probePeer(o: ProbeOptions): Promise<ProbeResult> {
  const peer = typeof o.peer === 'string' ? parsePeer(o.peer) : o.peer;
  const transport = o.transport ?? defaultTransport;
  const started = Date.now();
  const budget = o.budgetMs ?? PROBE_DEFAULTS.budgetMs;
  const limits: AttemptLimits = {
    connectMs: o.connectTimeoutMs ?? PROBE_DEFAULTS.connectTimeoutMs,
    handshakeMs: o.handshakeTimeoutMs ?? PROBE_DEFAULTS.handshakeTimeoutMs,
    readMs: o.readTimeoutMs ?? PROBE_DEFAULTS.readTimeoutMs,
    deadline: within(budget, o.deadline, started).at,
  };
  const alpn = o.alpn ?? [...MESH_ALPN];
  const sni = o.sni ?? null;
  const withCert = !!(o.chain && o.key);
  const base = { peer: peer.text, host: peer.host, port: peer.port, sni, alpn, trust: o.trust ?? [] };
  // Nothing left of the diagnosis's deadline: no handshake at all (a 1 ms "timeout" would blame the peer).
  if (o.deadline && expired(o.deadline)) {
    return { handshakes: [], source: timedOut({ name: `peer: ${peer.text}`, status: 'unavailable', reason: `not probed: the diagnosis's ${budgetText(o.deadline)} deadline had passed before the handshakes could start (the other sources used it up)` }, NOT_JUDGED) };
  }

  // Resolve once, for every attempt (bounded like a connect).
  let address: string;
  if (isIP(peer.host)) address = peer.host;
  else {
    try {
      address = await withTimeout(transport.lookup(peer.host), Math.max(1, Math.min(limits.connectMs, limits.deadline - Date.now())));
    } catch (e) {
      const outcome: HandshakeOutcome =
        e === TIMEOUT ? { kind: 'timeout', phase: 'connect', afterMs: Date.now() - started } : { kind: 'dns-failure', code: (e as NodeJS.ErrnoException)?.code ?? 'ENOTFOUND' };
      const h = unattempted(withCert ? 'workload' : 'anonymous', peer, sni, alpn, withCert, outcome, Date.now() - started);
      return { handshakes: [h], source: sourceOf(peer, [h]) };
    }
  }

  const specs: AttemptSpec[] = [];
  if (withCert) specs.push({ ...base, address, attempt: 'workload', cert: o.chain, key: o.key });
  specs.push({ ...base, address, attempt: 'anonymous' });
  const handshakes = await Promise.all(specs.map((s) => runAttempt(s, limits, transport)));

  // One more, only when negotiation failed: offer everything to learn which version or cipher the peer wants.
  const primary = handshakes[0]!;
  if (negotiationFailed(primary.outcome) && Date.now() < limits.deadline - 50 && handshakes.length < MAX_HANDSHAKES) {
    handshakes.push(await runAttempt({ ...base, address, attempt: 'wide', wide: true }, limits, transport));
  }
  return { handshakes, source: sourceOf(peer, handshakes) };
}

/** Alerts and errors that mean "no common version or cipher suite" (the peer could not even answer the hello). */
export function negotiationFailed(o: HandshakeOutcome): boolean {
  if (o.kind === 'alert-received') return [40, 47, 70, 71].includes(o.alert) && o.phase === 'before-server-hello';
  if (o.kind === 'alert-sent') return [40, 47, 70, 71].includes(o.alert);
  if (o.kind === 'tls-error') return /PROTOCOL|CIPHER|VERSION/i.test(o.code) && o.phase !== 'after-handshake';
  return false;
}

function unattempted(attempt: 'workload' | 'anonymous', peer: PeerAddress, sni: string | null, alpn: string[], withCert: boolean, outcome: HandshakeOutcome, ms: number): HandshakeEvidence {
  return {
    attempt,
    peer: peer.text,
    address: null,
    sni: sni ?? (isIP(peer.host) ? null : peer.host),
    alpnOffered: [...alpn],
    versionsOffered: { min: 'TLSv1.2', max: 'TLSv1.3' },
    ciphersOffered: 'default',
    clientCertificate: withCert,
    outcome,
    negotiated: null,
    peerChain: [],
    peerRequestedCertificate: null,
    localVerification: { checked: false, ok: false, code: null, reason: null },
    afterHandshake: null,
    durationMs: ms,
  };
}

/** One line per attempt for the report's sources list. */
export function describeOutcome(o: HandshakeOutcome): string {
  switch (o.kind) {
    case 'success':
      return 'handshake completed';
    case 'alert-received':
      return `peer sent alert ${o.alert} ${o.name} (${o.phase})`;
    case 'alert-sent':
      return `we aborted with alert ${o.alert} ${o.name} (${o.code})`;
    case 'rejected-after-handshake':
      return `peer answered HTTP ${o.status} "${o.detail}" after the handshake`;
    case 'plaintext':
      return `peer answered in plaintext: ${o.sample}`;
    case 'reset':
    case 'eof':
      return `${o.kind === 'reset' ? 'connection reset' : 'connection closed'} ${o.phase}`;
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return `no answer (${o.phase}) after ${seconds(o.afterMs)}`;
    case 'dns-failure':
      return `name does not resolve (${o.code})`;
    case 'unreachable':
      return `unreachable (${o.code})`;
    case 'not-attempted':
      return `not attempted: ${o.reason}`;
    case 'tls-error':
      return `TLS error ${o.code} (${o.phase})`;
  }
}

function sourceOf(peer: PeerAddress, hs: HandshakeEvidence[]): SourceRecord {
  const unreachable = hs.every((h) => ['dns-failure', 'refused', 'unreachable'].includes(h.outcome.kind) || (h.outcome.kind === 'timeout' && h.outcome.phase === 'connect'));
  const stack = detectPeerStack(hs);
  const detail = hs.map((h) => `${h.attempt}: ${describeOutcome(h.outcome)}`).join('; ');
  const peerStack = stack ? { peerStack: describePeerStack(stack) } : {};
  const r: SourceRecord = unreachable
    ? { name: `peer: ${peer.text}`, status: 'unavailable', reason: describeOutcome(hs[0]!.outcome), detail }
    : { name: `peer: ${peer.text}`, status: 'ok', detail: `${hs.length} handshake${hs.length === 1 ? '' : 's'}: ${detail}`, ...peerStack };
  // A handshake that got no answer within its cap (or what was left of the deadline): the peer's verdict is unknown.
  return hs.some((h) => h.outcome.kind === 'timeout') ? timedOut(r, NOT_JUDGED) : r;
}
