/**
 * One deadline for a whole diagnosis (issue 22): every source — the Envoy admin endpoints, the pilot-agent, the
 * Kubernetes API, port-forward and exec streams, the peer probe — waits at most min(its own cap, the time left),
 * so that sources that hang cannot add their caps up. A source cut short records `timedOut` and what was not
 * judged without it (src/model/source-timeout.ts); the verdict is then never `healthy`.
 *
 * Time here is the machine's clock (Date.now), never the injected evaluation clock: `--at` or a test's pinned
 * `now` must not stop a deadline from running.
 */
export interface Deadline {
  /** Epoch ms at which every source must have stopped. */
  readonly at: number;
  /** The whole budget the deadline was set from (ms), for messages. */
  readonly budgetMs: number;
}

export function deadlineIn(budgetMs: number, from: number = Date.now()): Deadline {
  return { at: from + budgetMs, budgetMs };
}

/** Milliseconds left before the deadline (negative once it passed); Infinity without a deadline. */
export function msLeft(d: Deadline | undefined): number {
  return d === undefined ? Infinity : d.at - Date.now();
}

/** A source's wait: its own cap, or what is left of the diagnosis when that is less (at least 1 ms). */
export function capMs(ownCapMs: number, d: Deadline | undefined): number {
  return Math.max(1, Math.min(ownCapMs, msLeft(d)));
}

/** The deadline has passed: nothing more should be started. */
export function expired(d: Deadline | undefined): boolean {
  return msLeft(d) <= 0;
}

/** Whole seconds of a budget, as messages say it ("the 8 s deadline of the diagnosis"). */
export function budgetText(d: Deadline): string {
  return `${Math.round(d.budgetMs / 100) / 10} s`;
}

/**
 * What a source gives the judgement, by its record's name: said in the report when it timed out, as what was
 * not judged because of it.
 */
const NOT_JUDGED: Array<[RegExp, string]> = [
  [/^envoy admin secrets$/, 'the chain and trust bundle Envoy serves (their expiry, chain, SAN and key usage; whether SDS delivered them)'],
  [/^envoy admin \/certs$/, 'the certificates Envoy has loaded (a stale certificate still served after rotation)'],
  [/^envoy admin stats$/, "Envoy's ssl.* counters (which handshake failures happen now, and so which finding explains them)"],
  [/^pilot-agent metrics$/, "the pilot-agent's certificate expiry gauge (a rotation that stalled)"],
  [/^pilot-agent readiness$/, "the pilot-agent's readiness"],
  [/^peer: /, "the peer's chain and its verdict on ours (the transport stage: what the handshake shows)"],
  [/^sidecar access$/, "everything the pod's istio-proxy holds (its served chain, trust bundle, /certs and ssl.* counters)"],
  [/^peer sidecars$/, 'what the server pods not read serve and trust: their side of the connection, both ways'],
  [/^kubernetes pod$/, 'the pod itself'],
  [/^mesh config$/, "the mesh's trust domain and aliases (Istio's defaults were assumed)"],
  [/^root ConfigMap$/, 'the root certificate istiod gives the namespace (a stale istio-ca-root-cert)'],
  [/^PeerAuthentication /, 'the PeerAuthentication policy of that namespace (the policy stage)'],
  [/^DestinationRule /, 'the DestinationRules of that namespace (the policy stage)'],
  [/^peer (service|pods)$/, 'the peer service and its pods (the connection)'],
  [/^CA secret /, "the mesh CA's certificates in that Secret (expiry at every CA level)"],
];

export function notJudgedWithout(source: string): string {
  return NOT_JUDGED.find(([re]) => re.test(source))?.[1] ?? `what ${source} would have shown`;
}

/** Marks a source record as cut short by its cap or the deadline, with what was not judged because of it. */
export function timedOut<T extends { name: string; timedOut?: true; notJudged?: string }>(r: T): T {
  return { ...r, timedOut: true, notJudged: notJudgedWithout(r.name) };
}
