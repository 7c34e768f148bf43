/**
 * The Envoy admin API (`:15000`) and the pilot-agent (`:15020`) over undici. Each endpoint becomes a source
 * record: `ok`, or `unavailable` with the reason (refused, timed out, HTML, truncated JSON, over the size cap,
 * base64 that is not PEM). Never throws for a source that failed.
 */
import type { Dispatcher } from 'undici';
import type { SourceRecord } from '../evidence/types.js';
import type { AgentEvidence, ProxySecret, ServedCert, StatsSample } from '../evidence/proxy.js';
import { hasSslStats } from '../evidence/stats.js';
import { LIMITS } from '../limits.js';
import { timedOut } from '../model/deadline.js';
import { getText, type HttpOptions, type HttpResult } from './http.js';
import { field, parseAdminJson, parseCerts, parsePrometheus, parseSecrets, parseStatsJson } from '../evidence/envoy-parse.js';

/** RE2 partial-match filter for `/stats`: SSL counters, SDS readiness, filter-chain misses, the cert-expiry gauge. */
export const STATS_FILTER = 'ssl\\.|ssl_socket_factory|no_filter_chain_match|days_until_first_cert_expiring';

/** The fix when Istio's default stats matcher has removed every ssl.* counter (read at bootstrap: restart the pod). */
export const STATS_MATCHER_FIX =
  'add the pod annotation sidecar.istio.io/statsInclusionRegexps: ".*\\.ssl\\..*,.*no_filter_chain_match,.*_context_secrets_not_ready" ' +
  '(or meshConfig.defaultConfig.proxyStatsMatcher.inclusionRegexps with the same three) and restart the pod';

export const SOURCE = {
  secrets: 'envoy admin secrets',
  certs: 'envoy admin /certs',
  stats: 'envoy admin stats',
  agentMetrics: 'pilot-agent metrics',
  agentReady: 'pilot-agent readiness',
} as const;

export interface AdminResult {
  secretsRead: boolean;
  secrets: ProxySecret[];
  served: ServedCert[];
  stats: StatsSample[];
  sources: SourceRecord[];
  /** The admin port answered at all (an HTTP response, whatever its content). */
  reachable: boolean;
}

export interface AdminOptions extends HttpOptions {
  /** Called once the secrets are read (or known unreadable: empty), before /certs and stats need to finish. */
  onSecrets?: (secrets: ProxySecret[]) => void;
  windowSeconds: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** What each endpoint gives the judgement: said, when it timed out, as what was not judged because of it. */
const NOT_JUDGED: Record<string, string> = {
  [SOURCE.secrets]: 'the chain and trust bundle Envoy serves (their expiry, chain, SAN and key usage; whether SDS delivered them)',
  [SOURCE.certs]: 'the certificates Envoy has loaded (a stale certificate still served after rotation)',
  [SOURCE.stats]: "Envoy's ssl.* counters (which handshake failures happen now, and so which finding explains them)",
  [SOURCE.agentMetrics]: "the pilot-agent's certificate expiry gauge (a rotation that stalled)",
  [SOURCE.agentReady]: "the pilot-agent's readiness",
};

/** A source record of a failed answer: marked `timedOut` (with what was not judged) when it was cut short. */
const failed = (r: SourceRecord, result: HttpResult | null | undefined): SourceRecord => (result && !result.ok && result.timedOut ? timedOut(r, NOT_JUDGED[r.name] ?? `what ${r.name} would have shown`) : r);

/** A failure that says the whole port is unusable (nothing listens, no answer): skip its other endpoints. */
const portDown = (r: HttpResult) => !r.ok && r.status === undefined && /refused|no complete answer|unreachable|does not resolve|closed before|budget .* was used up/.test(r.reason);

function describeSecrets(secrets: ProxySecret[]): string {
  const one = (s: ProxySecret) => {
    const n = s.pems.length + s.trustDomains.reduce((a, t) => a + t.pems.length, 0);
    return s.state === 'warming' ? `${s.name}: WARMING` : `${s.name}: ${n} certificate${n === 1 ? '' : 's'}${s.trustDomains.length ? ` (trust domains ${s.trustDomains.map((t) => t.name).join(', ')})` : ''}`;
  };
  return secrets.length ? secrets.map(one).join('; ') : 'no secrets';
}

async function readSecrets(base: string, o: AdminOptions): Promise<{ result: HttpResult; secrets: ProxySecret[]; problems: string[]; read: boolean; reason: string | null }> {
  // One certificate budget for every secrets answer of this collection (active, warming, the full dump).
  const budget = { left: LIMITS.certificatesTotal };
  const active = await getText(base, 'config_dump?resource=dynamic_active_secrets', o);
  if (portDown(active)) return { result: active, secrets: [], problems: [], read: false, reason: active.ok ? null : active.reason };
  let parsed: ReturnType<typeof parseSecrets> | null = null;
  let reason: string | null = null;
  if (active.ok) {
    const j = parseAdminJson(active.body, '/config_dump?resource=dynamic_active_secrets');
    // `field` reads nothing from a JSON null, number or list (an Envoy or a proxy answering `null` must not crash).
    if (j.ok && Array.isArray(field(j.value, 'configs'))) parsed = parseSecrets(j.value, 'active', budget);
    else reason = j.ok ? '/config_dump?resource=dynamic_active_secrets has no "configs" list' : j.reason;
  } else reason = `/config_dump?resource=dynamic_active_secrets: ${active.reason}`;

  // An admin API that ignores `?resource=` answers with the whole SecretsConfigDump: it already holds every
  // list with its state, so asking for the warming ones again would list the active secrets twice, as WARMING.
  if (parsed && !parsed.sawFullDump) {
    // Warming secrets are a separate repeated field: ask for them too (a `default` stuck here was never delivered).
    const warm = await getText(base, 'config_dump?resource=dynamic_warming_secrets', o);
    if (warm.ok) {
      const j = parseAdminJson(warm.body, '/config_dump?resource=dynamic_warming_secrets');
      if (j.ok) {
        const w = parseSecrets(j.value, 'warming', budget);
        // Per-element answers are warming by the query; a whole dump says each secret's state itself.
        parsed.secrets.push(...w.secrets.filter((s) => s.state === 'warming'));
        parsed.problems.push(...w.problems);
      }
    }
  }
  if (parsed) {
    return { result: active, secrets: parsed.secrets, problems: parsed.problems, read: true, reason: null };
  }
  // Fallback: the whole config_dump, whose SecretsConfigDump carries active, warming and static secrets.
  const full = await getText(base, 'config_dump', o);
  if (!full.ok) return { result: full, secrets: [], problems: [], read: false, reason: `${reason}; /config_dump: ${full.reason}` };
  const j = parseAdminJson(full.body, '/config_dump');
  if (!j.ok) return { result: full, secrets: [], problems: [], read: false, reason: `${reason}; ${j.reason}` };
  const p = parseSecrets(j.value, 'active', budget);
  if (!p.sawSecretsDump) return { result: full, secrets: [], problems: [], read: false, reason: `${reason}; /config_dump has no SecretsConfigDump` };
  return { result: full, secrets: p.secrets, problems: p.problems, read: true, reason: null };
}

/**
 * Reads secrets, `/certs` and stats (twice, `windowSeconds` apart, when asked) from the Envoy admin API. The three
 * endpoints are asked at once, under the collection's one deadline: an Envoy whose endpoints hang costs one
 * request timeout, not one per endpoint.
 */
export async function collectEnvoyAdmin(base: string, o: AdminOptions): Promise<AdminResult> {
  const out: AdminResult = { secretsRead: false, secrets: [], served: [], stats: [], sources: [], reachable: false };
  const path = `stats?format=json&filter=${encodeURIComponent(STATS_FILTER)}`;
  const sample = async (): Promise<{ sample: StatsSample } | { problem: string; result: HttpResult }> => {
    const at = new Date(o.now()).toISOString();
    const r = await getText(base, path, o);
    if (!r.ok) return { problem: `${base}/stats: ${r.reason}`, result: r };
    const j = parseAdminJson(r.body, '/stats?format=json');
    if (!j.ok) return { problem: `${base}: ${j.reason}`, result: r };
    const values = parseStatsJson(j.value);
    if (!values) return { problem: `${base}: /stats?format=json has no "stats" list`, result: r };
    return { sample: { at, values } };
  };
  const secretsRead = readSecrets(base, o).then((r) => (o.onSecrets?.(r.read ? r.secrets : []), r));
  const [s, certs, first] = await Promise.all([secretsRead, getText(base, 'certs', o), sample()]);
  out.reachable = s.result.ok || s.result.status !== undefined || certs.ok || certs.status !== undefined;
  if (!s.read) {
    out.sources.push(failed({ name: SOURCE.secrets, status: 'unavailable', reason: `${base}: ${s.reason}` }, s.result));
    // The port itself is down (nothing listens, no answer to any endpoint): one reason, not three.
    if (portDown(s.result) && portDown(certs) && 'problem' in first && portDown(first.result)) {
      const why = `${base}: skipped, the admin port did not answer`;
      out.sources.push(failed({ name: SOURCE.certs, status: 'unavailable', reason: why }, certs), failed({ name: SOURCE.stats, status: 'unavailable', reason: why }, first.result));
      return out;
    }
  } else {
    const usable = s.secrets.some((x) => x.pems.length > 0 || x.trustDomains.some((t) => t.pems.length > 0));
    const warming = s.secrets.some((x) => x.state === 'warming');
    if (s.problems.length && !usable) {
      out.sources.push({ name: SOURCE.secrets, status: 'unavailable', reason: `${base}: ${s.problems.join('; ')}` });
    } else {
      out.secretsRead = true;
      out.secrets = s.secrets;
      out.sources.push({
        name: SOURCE.secrets,
        status: 'ok',
        detail: `${base}/config_dump: ${describeSecrets(s.secrets)}${s.problems.length ? `; unusable: ${s.problems.join('; ')}` : ''}${!usable && !warming ? ' (nothing delivered)' : ''}`,
      });
    }
  }

  const cj = certs.ok ? parseAdminJson(certs.body, '/certs') : null;
  if (!certs.ok) out.sources.push(failed({ name: SOURCE.certs, status: 'unavailable', reason: `${base}/certs: ${certs.reason}` }, certs));
  else if (cj && !cj.ok) out.sources.push({ name: SOURCE.certs, status: 'unavailable', reason: `${base}: ${cj.reason}` });
  else if (cj && cj.ok) {
    out.served = parseCerts(cj.value);
    const leaves = out.served.filter((c) => c.kind === 'leaf');
    out.sources.push({ name: SOURCE.certs, status: 'ok', detail: `${base}/certs: ${leaves.length} distinct leaf serial${leaves.length === 1 ? '' : 's'} across ${leaves.reduce((a, c) => a + c.contexts, 0)} TLS context${leaves.reduce((a, c) => a + c.contexts, 0) === 1 ? '' : 's'}` });
  }

  if ('problem' in first) {
    out.sources.push(failed({ name: SOURCE.stats, status: 'unavailable', reason: first.problem }, first.result));
    return out;
  }
  out.stats.push(first.sample);
  let secondProblem: string | null = null;
  if (o.windowSeconds > 0) {
    await o.sleep(o.windowSeconds * 1000);
    // The window is a deliberate wait, not time an endpoint took: it does not eat the collection budget.
    if (o.deadline !== undefined) o.deadline += o.windowSeconds * 1000;
    const second = await sample();
    if ('problem' in second) secondProblem = second.problem;
    else out.stats.push(second.sample);
  }
  if (!out.stats.some(hasSslStats)) {
    // Istio's default stats matcher keeps no ssl.* counter at all: that is missing evidence, not zero failures.
    out.sources.push({
      name: SOURCE.stats,
      status: 'unavailable',
      reason: `${base}/stats answered without any ssl.* counter: Istio's default stats matcher removes them, so TLS failures cannot be counted here (this is not "zero failures"); to see them, ${STATS_MATCHER_FIX}`,
    });
  } else {
    const n = Object.keys(out.stats[out.stats.length - 1]!.values).length;
    out.sources.push({
      name: SOURCE.stats,
      status: 'ok',
      detail: `${base}/stats: ${out.stats.length} sample${out.stats.length === 1 ? '' : 's'}${out.stats.length > 1 ? ` ${o.windowSeconds}s apart` : ' (give --window SECONDS to see which counters move)'}, ${n} matching stats${secondProblem ? `; second sample failed: ${secondProblem}` : ''}`,
    });
  }
  return out;
}

/** Reads the pilot-agent's metrics (certificate expiry) and readiness. */
export async function collectAgent(base: string, o: AdminOptions): Promise<{ agent: AgentEvidence | null; sources: SourceRecord[] }> {
  const sources: SourceRecord[] = [];
  const at = new Date(o.now()).toISOString();
  const m = await getText(base, 'stats/prometheus', o);
  let parsed: Pick<AgentEvidence, 'certExpirySeconds' | 'metrics'> | null = null;
  if (!m.ok) sources.push(failed({ name: SOURCE.agentMetrics, status: 'unavailable', reason: `${base}/stats/prometheus: ${m.reason}` }, m));
  else if (m.body.trimStart().startsWith('<')) sources.push({ name: SOURCE.agentMetrics, status: 'unavailable', reason: `${base}/stats/prometheus returned HTML, not Prometheus text (is this the pilot-agent status port?)` });
  else {
    parsed = parsePrometheus(m.body);
    const d = parsed.certExpirySeconds.default;
    sources.push({
      name: SOURCE.agentMetrics,
      status: 'ok',
      detail: `${base}/stats/prometheus: ${d === undefined ? 'no istio_agent_cert_expiry_seconds (agent does not manage a workload certificate, or an old Istio)' : `istio_agent_cert_expiry_seconds{resource_name="default"} ${d}`}`,
    });
  }
  if (portDown(m)) {
    sources.push(failed({ name: SOURCE.agentReady, status: 'unavailable', reason: `${base}: skipped, the agent port did not answer` }, m));
    return { agent: null, sources };
  }
  const r = await getText(base, 'healthz/ready', o);
  const ready = r.ok ? true : r.status !== undefined ? false : null;
  const readyDetail = r.ok ? 'ready' : r.reason;
  if (ready === null) sources.push(failed({ name: SOURCE.agentReady, status: 'unavailable', reason: `${base}/healthz/ready: ${readyDetail}` }, r));
  else sources.push({ name: SOURCE.agentReady, status: 'ok', detail: `${base}/healthz/ready: ${ready ? 'ready' : `not ready (${readyDetail})`}` });
  if (!parsed && ready === null) return { agent: null, sources };
  return { agent: { at, certExpirySeconds: parsed?.certExpirySeconds ?? {}, metrics: parsed?.metrics ?? {}, ready, readyDetail: ready === null ? null : readyDetail }, sources };
}

export type { Dispatcher };
