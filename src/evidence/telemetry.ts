/**
 * A sidecar's Istio standard metrics as Envoy's admin serves them (`GET :15000/stats/prometheus`, Prometheus
 * text format 0.0.4): the inbound series its sidecar reported (`reporter="destination"`) that arrived without
 * mTLS (`connection_security_policy="none"`), by source. Istio's standard metrics (istio.io "Istio Standard
 * Metrics"): `istio_requests_total` for HTTP/gRPC, `istio_tcp_connections_opened_total` for TCP; labels
 * `source_workload`, `source_workload_namespace`, `source_principal`, `destination_service`. A caller that sent
 * no peer metadata (no sidecar; plaintext TCP) is `unknown`. Pure: no I/O.
 */
/** One telemetry series: plaintext inbound a server's sidecar reported (`connection_security_policy="none"`). */
export interface PlaintextInbound {
  metric: 'istio_requests_total' | 'istio_tcp_connections_opened_total';
  /** `source_workload` / `source_workload_namespace` / `source_principal` (`unknown` when the caller sent no peer metadata). */
  sourceWorkload: string;
  sourceNamespace: string;
  sourcePrincipal: string;
  /** `destination_service` (`ledger.bank.svc.cluster.local`), `unknown` when not known. */
  destinationService: string;
  /** The counter's value summed over the other labels (cumulative since the sidecar started). */
  count: number;
}


const METRICS = ['istio_requests_total', 'istio_tcp_connections_opened_total'] as const;
const LINE = /^(istio_requests_total|istio_tcp_connections_opened_total)\{(.*)\}\s+([0-9.eE+-]+)(?:\s+\d+)?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Plaintext inbound series, summed per (metric, source workload, namespace, principal, destination service). */
export function plaintextInbound(text: string): PlaintextInbound[] {
  const sums = new Map<string, PlaintextInbound>();
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('istio_')) continue;
    const m = LINE.exec(raw);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[2]!.matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    if (labels.reporter !== 'destination' || labels.connection_security_policy !== 'none') continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value) || value <= 0) continue;
    const row: PlaintextInbound = {
      metric: m[1] as (typeof METRICS)[number],
      sourceWorkload: labels.source_workload ?? 'unknown',
      sourceNamespace: labels.source_workload_namespace ?? 'unknown',
      sourcePrincipal: labels.source_principal ?? 'unknown',
      destinationService: labels.destination_service ?? 'unknown',
      count: 0,
    };
    const k = [row.metric, row.sourceWorkload, row.sourceNamespace, row.sourcePrincipal, row.destinationService].join('\u0000');
    const have = sums.get(k) ?? (sums.set(k, row), row);
    have.count += value;
  }
  return [...sums.values()].sort((a, b) => b.count - a.count || a.sourceNamespace.localeCompare(b.sourceNamespace) || a.sourceWorkload.localeCompare(b.sourceWorkload));
}
