/**
 * Pure parsers for what the Envoy admin API and the pilot-agent return: SDS secrets from `/config_dump`
 * (snake_case from Envoy, camelCase from `istioctl pc secret -o json`), `/certs`, `/stats?format=json` and
 * Prometheus text. No I/O: the collectors fetch, these turn payloads into plain evidence records.
 *
 * Formats: Envoy's admin API (https://www.envoyproxy.io/docs/envoy/latest/operations/admin) and its protos
 * envoy.admin.v3.SecretsConfigDump (api/envoy/admin/v3/config_dump_shared.proto) and Certificates
 * (api/envoy/admin/v3/certs.proto); `/stats?format=json` carries the histograms as an element of the same array
 * (source/server/admin/stats_render.cc); the pilot-agent's endpoints are Istio's (pilot/cmd/pilot-agent).
 */
import { decodeCertificates, toPem } from '../x509/pem.js';
import type { AgentEvidence, ProxySecret, ServedCert } from './proxy.js';
import { redact } from '../redact.js';
import { jsonNestingDepth, LIMITS } from '../limits.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `dynamic_active_secrets` → `dynamicActiveSecrets`. */
const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A field by its proto (snake_case) name, or its JSON (camelCase) name. */
export function field(o: unknown, snake: string): unknown {
  if (!isObj(o)) return undefined;
  if (snake in o) return o[snake];
  const c = camel(snake);
  return c in o ? o[c] : undefined;
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Parses JSON from an admin endpoint, with a reason a person can act on when it is not JSON. */
export function parseAdminJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const head = text.trimStart().slice(0, 200);
  if (head.startsWith('<')) return { ok: false, reason: `${what} returned HTML, not JSON (is this the Envoy admin port?)` };
  if (text.trim() === '') return { ok: false, reason: `${what} returned an empty body` };
  if (jsonNestingDepth(text) > LIMITS.jsonDepth) return { ok: false, reason: `${what} returned JSON nested more than ${LIMITS.jsonDepth} levels deep; not an Envoy answer` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const m = (e as Error).message.split('\n')[0]!;
    const truncated = /end of (JSON )?input|Unterminated|Expected .* after/i.test(m);
    return { ok: false, reason: `${what} returned ${truncated ? 'truncated' : 'invalid'} JSON (${m.slice(0, 120)})` };
  }
}

interface DataSourceResult {
  pems: string[];
  problem: string | null;
}

/**
 * An Envoy DataSource holding certificates: `inline_bytes` (base64 of PEM, as SDS delivers it),
 * `inline_string` (PEM), or `filename` (not read here: named in the problem).
 */
function certificatesFrom(ds: unknown, label: string, budget: Budget): DataSourceResult {
  if (!isObj(ds) || Object.keys(ds).length === 0) return { pems: [], problem: null };
  const inlineBytes = str(field(ds, 'inline_bytes'));
  const inlineString = str(field(ds, 'inline_string'));
  const filename = str(field(ds, 'filename'));
  let text: string;
  if (inlineBytes !== null) {
    const b64 = inlineBytes.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return { pems: [], problem: `${label}: inline_bytes is not valid base64` };
    text = Buffer.from(b64, 'base64').toString('latin1');
  } else if (inlineString !== null) {
    text = inlineString;
  } else if (filename !== null) {
    return { pems: [], problem: `${label}: refers to file "${filename}" (not inline); read it with --proxy-root` };
  } else return { pems: [], problem: null };
  if (!text.includes('-----BEGIN ')) {
    return { pems: [], problem: `${label}: ${inlineBytes !== null ? 'inline_bytes decodes' : 'inline_string is'} to ${text.length} bytes that are not PEM (no "-----BEGIN CERTIFICATE-----")` };
  }
  try {
    const blocks = decodeCertificates(text, label);
    budget.left -= blocks.length;
    if (budget.left < 0) return { pems: [], problem: `${label}: not read, the answer holds more than ${LIMITS.certificatesTotal} certificates in total (the limit for one diagnosis)` };
    return { pems: blocks.map((b) => toPem(b.der)), problem: null };
  } catch (e) {
    return { pems: [], problem: (e as Error).message.replace(/^Cannot read /, '') };
  }
}

/** Certificates still allowed in one collection's admin answers (LIMITS.certificatesTotal). */
export interface Budget {
  left: number;
}

/** One DynamicSecret / StaticSecret element → a plain record, plus the problems met decoding it. */
function secretFrom(o: unknown, state: ProxySecret['state'], problems: string[], budget: Budget): ProxySecret | null {
  if (!isObj(o)) return null;
  const secret = field(o, 'secret');
  const name = str(field(o, 'name')) ?? str(field(secret, 'name'));
  if (name === null) return null;
  const versionInfo = str(field(o, 'version_info'));
  // A warming secret shows version_info "uninitialized" and no payload.
  const effective: ProxySecret['state'] = versionInfo === 'uninitialized' ? 'warming' : state;
  const rec: ProxySecret = {
    name,
    state: effective,
    versionInfo,
    lastUpdated: str(field(o, 'last_updated')),
    kind: 'empty',
    pems: [],
    trustDomains: [],
    error: null,
    clientStatus: str(field(o, 'client_status')),
  };
  const es = field(o, 'error_state');
  if (isObj(es)) rec.error = redact(str(field(es, 'details')) ?? 'the last update was rejected');
  const tls = field(secret, 'tls_certificate');
  const vc = field(secret, 'validation_context');
  if (isObj(tls)) {
    rec.kind = 'tls-certificate';
    // private_key is never read: Envoy redacts it ("[redacted]"), and we would not keep it anyway.
    const r = certificatesFrom(field(tls, 'certificate_chain'), `secret "${name}" certificate_chain`, budget);
    rec.pems = r.pems;
    if (r.problem) problems.push(r.problem);
  } else if (isObj(vc)) {
    rec.kind = 'validation-context';
    const r = certificatesFrom(field(vc, 'trusted_ca'), `secret "${name}" trusted_ca`, budget);
    rec.pems = r.pems;
    if (r.problem) problems.push(r.problem);
    const custom = field(vc, 'custom_validator_config');
    for (const td of arr(field(field(custom, 'typed_config'), 'trust_domains')).slice(0, LIMITS.adminItems)) {
      const tdName = str(field(td, 'name')) ?? '?';
      const t = certificatesFrom(field(td, 'trust_bundle'), `secret "${name}" trust domain "${tdName}"`, budget);
      if (t.problem) problems.push(t.problem);
      rec.trustDomains.push({ name: tdName, pems: t.pems });
    }
  }
  return rec;
}

const SECRET_LISTS: Array<[string, ProxySecret['state']]> = [
  ['static_secrets', 'static'],
  ['dynamic_active_secrets', 'active'],
  ['dynamic_warming_secrets', 'warming'],
];

/**
 * Secrets from any of the shapes Envoy and istioctl produce: the full `/config_dump` (a SecretsConfigDump
 * among `configs[]`), `/config_dump?resource=dynamic_active_secrets` (each DynamicSecret its own element of
 * `configs[]`; `state` says which list was asked for), or a bare SecretsConfigDump (`istioctl pc secret -o json`).
 */
export function parseSecrets(
  json: unknown,
  state: ProxySecret['state'] = 'active',
  budget: Budget = { left: LIMITS.certificatesTotal },
): { secrets: ProxySecret[]; problems: string[]; sawSecretsDump: boolean; sawFullDump: boolean } {
  const problems: string[] = [];
  const secrets: ProxySecret[] = [];
  let sawSecretsDump = false;
  // A whole SecretsConfigDump (every list, each with its own state): what an admin API that ignores
  // `?resource=` answers to any query.
  let sawFullDump = false;
  const fromDump = (dump: unknown) => {
    sawSecretsDump = true;
    sawFullDump = true;
    for (const [list, st] of SECRET_LISTS) {
      for (const el of arr(field(dump, list))) {
        if (secrets.length >= LIMITS.adminItems) break;
        const s = secretFrom(el, st, problems, budget);
        if (s) secrets.push(s);
      }
    }
  };
  const configs = field(json, 'configs');
  if (Array.isArray(configs)) {
    for (const c of configs.slice(0, LIMITS.adminItems)) {
      const type = str(field(c, '@type')) ?? '';
      if (/\.SecretsConfigDump$/.test(type)) fromDump(c);
      else if (/\.SecretsConfigDump\.(DynamicSecret|StaticSecret)$/.test(type)) {
        sawSecretsDump = true;
        const s = secretFrom(c, type.endsWith('StaticSecret') ? 'static' : state, problems, budget);
        if (s) secrets.push(s);
      }
    }
  } else if (SECRET_LISTS.some(([l]) => field(json, l) !== undefined)) fromDump(json);
  return { secrets, problems, sawSecretsDump, sawFullDump };
}

/** Serial numbers compared the way Envoy prints them: lowercase hex, no colons, no leading zeros. */
export function normalizeSerial(s: string): string {
  const h = s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+/, '');
  return h === '' ? '0' : h;
}

/**
 * `/certs`: one entry per TLS context, each with the leaf (`cert_chain`) and the first trusted CA
 * (`ca_cert`). Deduplicated by serial; `days_until_expiration` is ignored (whole days, clamped at 0: useless
 * for 24 h certificates) in favour of `expiration_time`.
 */
export function parseCerts(json: unknown): ServedCert[] {
  const out = new Map<string, ServedCert>();
  for (const ctx of arr(field(json, 'certificates')).slice(0, LIMITS.adminItems)) {
    for (const [list, kind] of [['cert_chain', 'leaf'], ['ca_cert', 'ca']] as const) {
      for (const d of arr(field(ctx, list))) {
        const serialRaw = str(field(d, 'serial_number'));
        if (serialRaw === null) continue;
        const serial = normalizeSerial(serialRaw);
        const key = `${kind}:${serial}`;
        const seen = out.get(key);
        if (seen) {
          seen.contexts++;
          continue;
        }
        if (out.size >= LIMITS.servedCertificates) continue;
        const sans = arr(field(d, 'subject_alt_names'))
          .map((s) => str(field(s, 'uri')) ?? str(field(s, 'dns')) ?? str(field(s, 'ip_address')))
          .filter((s): s is string => s !== null);
        out.set(key, { kind, serial, sans, validFrom: str(field(d, 'valid_from')), expirationTime: str(field(d, 'expiration_time')), contexts: 1 });
      }
    }
  }
  return [...out.values()];
}

/**
 * `/stats?format=json`: `{stats: [{name, value}, …, {histograms: {…}}]}`. Histograms (an element of the same
 * array) are dropped; values may be numbers or numeric strings (text readouts are skipped).
 */
export function parseStatsJson(json: unknown): Record<string, number> | null {
  const stats = field(json, 'stats');
  if (!Array.isArray(stats)) return null;
  const values: Record<string, number> = {};
  for (const el of stats.slice(0, LIMITS.adminItems)) {
    const name = str(field(el, 'name'));
    if (name === null) continue;
    const v = field(el, 'value');
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (Number.isFinite(n)) values[name] = n;
  }
  return values;
}

const PROM_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;
/** Agent metrics kept beside the certificate expiry gauge: failures that explain a certificate that never came. */
const KEEP_AGENT = /^(istio_agent_num_failed_outgoing_requests|istio_agent_num_file_secret_failures|istio_agent_num_outgoing_retries|envoy_server_days_until_first_cert_expiring)/;

/** The pilot-agent's `/stats/prometheus`: `istio_agent_cert_expiry_seconds{resource_name="default"}` and a few failure counters. */
export function parsePrometheus(text: string): Pick<AgentEvidence, 'certExpirySeconds' | 'metrics'> {
  const certExpirySeconds: Record<string, number> = {};
  const metrics: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = PROM_LINE.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m as unknown as [string, string, string | undefined, string];
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (name === 'istio_agent_cert_expiry_seconds') {
      const rn = /resource_name="([^"]*)"/.exec(labels)?.[1] ?? 'default';
      certExpirySeconds[rn] = value;
    } else if (KEEP_AGENT.test(name)) metrics[name + labels] = value;
  }
  return { certExpirySeconds, metrics };
}
