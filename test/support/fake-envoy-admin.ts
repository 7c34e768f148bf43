/**
 * A fake Envoy admin API and pilot-agent on 127.0.0.1 (ephemeral ports), serving payloads modelled on the
 * real formats (Envoy's admin API: envoy.admin.v3.SecretsConfigDump and Certificates): SDS secrets with base64 PEM chains and redacted
 * keys, warming secrets, SPIRE per-trust-domain bundles, `/certs` with one entry per TLS context (duplicates),
 * `/stats?format=json` with the histograms element mixed into the array and the `filter` regex applied, and
 * misbehaviour: HTML, truncated JSON, a slow answer, a 200 MB body, base64 that is not PEM, HTTP 500.
 *
 * Also builders for the same payloads and for proxy evidence, used by rule tests.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evidenceFor, NOW, type EvidenceSpec, type Issued } from './pki.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';
import type { ProxyEvidence, ProxySecret, ServedCert, StatsSample } from '../../src/evidence/proxy.js';
import { emptyProxyEvidence } from '../../src/evidence/proxy.js';
import { normalizeSerial } from '../../src/evidence/envoy-parse.js';
import { sourceLabel } from '../../src/report/source-label.js';

export type Misbehaviour = 'html' | 'truncated' | 'slow' | 'huge' | 'not-pem' | 'status-500';

export interface FakeAdminSpec {
  /** The `default` secret's chain (leaf first); omit for no default secret. */
  chain?: Issued[];
  /** ROOTCA's trusted_ca. */
  roots?: Issued[];
  /** SPIRE style: ROOTCA with an empty trusted_ca and one bundle per trust domain. */
  spire?: Record<string, Issued[]>;
  /** Secret names stuck in dynamic_warming_secrets (`default`, `ROOTCA`, …). */
  warming?: string[];
  /** Leaves `/certs` lists (default: the chain's leaf), each in `contexts` TLS contexts. */
  served?: Issued[];
  contexts?: number;
  /** Successive `/stats` answers (unfiltered: the fake applies `filter`); the last one repeats. */
  stats?: Array<Record<string, number | string>>;
  /** camelCase field names (as `istioctl pc secret -o json`); default snake_case (Envoy). */
  camel?: boolean;
  /** Redact the key as older Envoy does (`inline_string: "[redacted]"`) instead of base64 inline_bytes. */
  inlineStringRedaction?: boolean;
  /** Answer 404 to `?resource=` (forces the full /config_dump fallback). */
  noResourceParam?: boolean;
  misbehave?: Partial<Record<'secrets' | 'certs' | 'stats' | 'all', Misbehaviour>>;
  slowMs?: number;
  /** Listen on this port (default: an ephemeral one). */
  port?: number;
  /** The body of `/stats/prometheus` (Envoy's metrics, Istio's standard metrics among them); default: none of those. */
  prometheus?: string;
}

export interface FakeServer {
  url: string;
  /** Paths (with query) in the order they were asked. */
  requests: string[];
  close(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const REDACTED = b64('[redacted]');
const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/** snake_case → camelCase on every key, recursively (what protojson does for istioctl). */
function camelize(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(camelize);
  if (x && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k.startsWith('@') ? k : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelize(v)]));
  }
  return x;
}

const pemOf = (certs: Issued[]) => certs.map((c) => c.pem).join('');

export function dynamicSecret(name: string, body: Record<string, unknown> | null, o: { warming?: boolean; inlineStringRedaction?: boolean; notPem?: boolean } = {}): Record<string, unknown> {
  const secret: Record<string, unknown> = { '@type': SECRET_TYPE, name };
  if (body) Object.assign(secret, body);
  return o.warming
    ? { name, version_info: 'uninitialized', last_updated: '2026-11-29T02:58:01.512Z', secret: { '@type': SECRET_TYPE, name } }
    : { name, last_updated: '2026-11-29T02:00:03.262Z', secret };
}

export function tlsCertificateBody(chain: Issued[], o: { inlineStringRedaction?: boolean; notPem?: boolean } = {}) {
  return {
    tls_certificate: {
      certificate_chain: { inline_bytes: o.notPem ? b64('this is not a PEM certificate at all, just bytes\n') : b64(pemOf(chain)) },
      private_key: o.inlineStringRedaction ? { inline_string: '[redacted]' } : { inline_bytes: REDACTED },
    },
  };
}

export function validationContextBody(roots: Issued[] | null, spire?: Record<string, Issued[]>, o: { notPem?: boolean } = {}) {
  const vc: Record<string, unknown> = { trusted_ca: roots ? { inline_bytes: o.notPem ? b64('<html>nope</html>') : b64(pemOf(roots)) } : {} };
  if (spire) {
    vc.custom_validator_config = {
      name: 'envoy.tls.cert_validator.spiffe',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig',
        trust_domains: Object.entries(spire).map(([name, certs]) => ({ name, trust_bundle: { inline_bytes: b64(pemOf(certs)) } })),
      },
    };
  }
  return { validation_context: vc };
}

/** The secrets as Envoy lists them: `{active, warming}` DynamicSecret elements. */
export function secretElements(spec: FakeAdminSpec, notPem = false) {
  const warming = new Set(spec.warming ?? []);
  const active: Record<string, unknown>[] = [];
  const warm: Record<string, unknown>[] = [];
  if (spec.chain && !warming.has('default')) active.push(dynamicSecret('default', tlsCertificateBody(spec.chain, { inlineStringRedaction: spec.inlineStringRedaction, notPem })));
  if ((spec.roots || spec.spire) && !warming.has('ROOTCA')) active.push(dynamicSecret('ROOTCA', validationContextBody(spec.roots ?? null, spec.spire, { notPem })));
  for (const name of warming) warm.push(dynamicSecret(name, null, { warming: true }));
  return { active, warm };
}

/** `/config_dump?resource=…` (each element its own config) or the full dump's SecretsConfigDump. */
export function configDumpPayload(spec: FakeAdminSpec, resource: string | null, notPem = false): unknown {
  const { active, warm } = secretElements(spec, notPem);
  let out: unknown;
  if (resource === 'dynamic_active_secrets' || resource === 'dynamic_warming_secrets') {
    const list = resource === 'dynamic_active_secrets' ? active : warm;
    out = { configs: list.map((s) => ({ '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret', ...s })) };
  } else {
    out = {
      configs: [
        { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: 'sidecar~10.1.2.3~web-7d9.demo~demo.svc.cluster.local' } } },
        { '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump', dynamic_active_secrets: active, dynamic_warming_secrets: warm },
      ],
    };
  }
  return spec.camel ? camelize(out) : out;
}

function certDetails(c: Issued) {
  const nb = c.cert.notBefore.toISOString().replace('.000Z', 'Z');
  const na = c.cert.notAfter.toISOString().replace('.000Z', 'Z');
  return {
    path: '<inline>',
    serial_number: normalizeSerial(c.cert.serialNumber),
    subject_alt_names: sansOf(c),
    // Whole days, rounded down, clamped at 0, and a string: what Envoy prints (useless for 24 h leaves).
    days_until_expiration: String(Math.max(0, Math.floor((c.cert.notAfter.getTime() - Date.now()) / 86_400_000))),
    valid_from: nb,
    expiration_time: na,
  };
}

function sansOf(c: Issued): Array<Record<string, string>> {
  const ext = c.cert.getExtension('2.5.29.17') as { names?: { items?: Array<{ type: string; value: string }> } } | null;
  return (ext?.names?.items ?? []).map((n): Record<string, string> => (n.type === 'url' ? { uri: n.value } : n.type === 'dns' ? { dns: n.value } : { ip_address: n.value }));
}

/** `/certs`: one entry per TLS context, so the same leaf and first CA repeat `contexts` times. */
export function certsPayload(spec: FakeAdminSpec): unknown {
  const leaves = spec.served ?? (spec.chain ? [spec.chain[0]!] : []);
  const ca = spec.roots?.[0] ?? spec.chain?.[spec.chain.length - 1];
  const n = spec.contexts ?? 3;
  const certificates: unknown[] = [];
  for (const l of leaves) {
    for (let i = 0; i < n; i++) certificates.push({ ca_cert: ca ? [certDetails(ca)] : [], cert_chain: [certDetails(l)] });
  }
  return { certificates };
}

/** A realistic istio-proxy stats set (all names, before Istio's stats matcher), as `name → value`. */
export function istioStats(o: { outbound?: Record<string, number>; inbound?: Record<string, number>; cluster?: string; delimited?: boolean; extra?: Record<string, number | string> } = {}): Record<string, number | string> {
  const cluster = o.cluster ?? 'outbound|8080||payments.prod.svc.cluster.local';
  const c = `cluster.${cluster}${o.delimited === false ? '' : ';'}`;
  const zero = { connection_error: 0, handshake: 0, session_reused: 0, no_certificate: 0, fail_verify_no_cert: 0, fail_verify_error: 0, fail_verify_san: 0, fail_verify_cert_hash: 0 };
  const out: Record<string, number | string> = {
    'server.days_until_first_cert_expiring': 0,
    'server.state': 0,
    'server.live': 1,
    'cluster_manager.active_clusters': 42,
    'listener_manager.total_listeners_active': 18,
    [`${c}.upstream_cx_active`]: 3,
    [`${c}.client_ssl_socket_factory.ssl_context_update_by_sds`]: 6,
    [`${c}.client_ssl_socket_factory.upstream_context_secrets_not_ready`]: 0,
    'listener.0.0.0.0_15006.server_ssl_socket_factory.ssl_context_update_by_sds': 6,
    'listener.0.0.0.0_15006.server_ssl_socket_factory.downstream_context_secrets_not_ready': 0,
    'listener.0.0.0.0_15006.no_filter_chain_match': 0,
    'listener.0.0.0.0_15006.ssl.versions.TLSv1.3': 1200,
    'listener.0.0.0.0_15006.ssl.ciphers.TLS_AES_128_GCM_SHA256': 1200,
    'listener.0.0.0.0_15006.ssl.curves.X25519': 1200,
    [`${c}.ssl.versions.TLSv1.3`]: 800,
    [`${c}.ssl.sigalgs.ecdsa_secp256r1_sha256`]: 800,
  };
  for (const [k, v] of Object.entries({ ...zero, handshake: 1200, ...o.inbound })) out[`listener.0.0.0.0_15006.ssl.${k}`] = v;
  for (const [k, v] of Object.entries({ ...zero, handshake: 800, ...o.outbound })) out[`${c}.ssl.${k}`] = v;
  return { ...out, ...o.extra };
}

/** What survives Istio's default stats matcher: no ssl.* counter, no listener or per-cluster stats. */
export function istioDefaultMatcher(all: Record<string, number | string>): Record<string, number | string> {
  const keep = /^(reporter=|cluster_manager|listener_manager|server|cluster\.xds-grpc|wasm|component|istio)/;
  return Object.fromEntries(Object.entries(all).filter(([k]) => keep.test(k) || /(rbac\.allowed|rbac\.denied)$/.test(k)));
}

/** `/stats?format=json`: the histograms object is an element of the same `stats` array. */
export function statsPayload(values: Record<string, number | string>, filter: string | null): unknown {
  const re = filter ? new RegExp(filter) : null;
  const entries = Object.entries(values)
    .filter(([k]) => !re || re.test(k))
    .map(([name, value]) => ({ name, value }));
  const mid = Math.floor(entries.length / 2);
  const histograms = {
    histograms: {
      supported_quantiles: [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100],
      computed_quantiles: [{ name: 'cluster.outbound|8080||payments.prod.svc.cluster.local;.upstream_cx_length_ms', values: [{ interval: null, cumulative: 12.5 }] }],
    },
  };
  return { stats: [...entries.slice(0, mid), histograms, ...entries.slice(mid)] };
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, path: string, url: URL) => void | Promise<void>, port = 0): Promise<FakeServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    Promise.resolve(handler(req, res, url.pathname, url)).catch(() => res.destroy());
  });
  await new Promise<void>((r, j) => (server.once('error', j), server.listen(port, '127.0.0.1', r)));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
}

/** Serves a misbehaving answer; returns false when `m` asks for nothing special. */
async function misbehave(res: ServerResponse, m: Misbehaviour | undefined, body: unknown, slowMs: number): Promise<boolean> {
  switch (m) {
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Envoy Admin</title></head><body><table>…</table></body></html>');
      return true;
    case 'truncated': {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text.slice(0, Math.floor(text.length / 2)));
      return true;
    }
    case 'status-500':
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('envoy overloaded\n');
      return true;
    case 'slow':
      await new Promise<void>((r) => {
        const t = setTimeout(r, slowMs);
        res.on('close', () => {
          clearTimeout(t);
          r();
        });
      });
      if (!res.destroyed) json(res, body);
      return true;
    case 'huge': {
      // 200 MB of a JSON-looking body, written with backpressure until the client stops reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let closed = false;
      res.on('close', () => (closed = true));
      res.write('{"configs":[');
      for (let i = 0; i < 200 && !closed; i++) {
        if (!res.write(chunk))
          await new Promise<void>((r) => {
            // One listener of each at a time: the one that did not fire goes (200 writes would pile up 'close').
            const done = () => (res.off('drain', done), res.off('close', done), r());
            res.once('drain', done).once('close', done);
          });
      }
      if (!closed) res.end(']}');
      return true;
    }
    default:
      return false;
  }
}

/** Starts a fake Envoy admin API. */
/** Every running fake admin's stats sequence, rewound by `rewindFakeAdmins()` (to run one scenario twice). */
const rewinders = new Set<() => void>();

/** Rewinds every running fake admin to its first `/stats` answer, as if it had just started. */
export function rewindFakeAdmins(): void {
  for (const r of rewinders) r();
}

export async function startFakeEnvoyAdmin(spec: FakeAdminSpec): Promise<FakeServer> {
  let statsCalls = 0;
  const rewind = () => void (statsCalls = 0);
  rewinders.add(rewind);
  const slowMs = spec.slowMs ?? 3000;
  const server = await listen(async (_req, res, path, url) => {
    const all = spec.misbehave?.all;
    if (path === '/config_dump') {
      const resource = url.searchParams.get('resource');
      if (resource && spec.noResourceParam) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('invalid resource\n');
        return;
      }
      const m = spec.misbehave?.secrets ?? all;
      const body = configDumpPayload(spec, resource, m === 'not-pem');
      if (!(await misbehave(res, m, body, slowMs))) json(res, body);
      return;
    }
    if (path === '/certs') {
      const body = certsPayload(spec);
      if (!(await misbehave(res, spec.misbehave?.certs ?? all, body, slowMs))) json(res, body);
      return;
    }
    if (path === '/stats/prometheus') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(spec.prometheus ?? '# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n');
      return;
    }
    if (path === '/stats') {
      const samples = spec.stats ?? [istioStats()];
      const values = samples[Math.min(statsCalls++, samples.length - 1)]!;
      const body = statsPayload(values, url.searchParams.get('filter'));
      if (!(await misbehave(res, spec.misbehave?.stats ?? all, body, slowMs))) json(res, body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`invalid path: ${path}\n`);
  }, spec.port);
  return { ...server, close: () => (rewinders.delete(rewind), server.close()) };
}

export interface FakeAgentSpec {
  /** `istio_agent_cert_expiry_seconds{resource_name="default"}`; omit to leave it out. */
  certExpirySeconds?: number;
  /** Or: the agent's certificate notAfter (ms); the gauge is computed at scrape time, as the agent does. */
  certExpiresAt?: number;
  ready?: boolean;
  misbehave?: Misbehaviour;
  port?: number;
}

let agentClock: () => number = Date.now;
/** The clock fake agents compute their expiry gauge with (default the real one); returns the previous one. */
export function setFakeAgentClock(clock: () => number): () => number {
  const before = agentClock;
  agentClock = clock;
  return before;
}

/** Starts a fake pilot-agent status server (`/stats/prometheus`, `/healthz/ready`). */
export async function startFakeAgent(spec: FakeAgentSpec): Promise<FakeServer> {
  return listen(async (_req, res, path) => {
    if (path === '/stats/prometheus') {
      if (spec.misbehave === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>not metrics</body></html>');
        return;
      }
      const lines = [
        '# HELP envoy_server_days_until_first_cert_expiring Number of days until the next certificate being managed will expire',
        '# TYPE envoy_server_days_until_first_cert_expiring gauge',
        'envoy_server_days_until_first_cert_expiring{} 0',
        '# HELP istio_agent_num_outgoing_requests Number of total outgoing requests (e.g. to a token exchange server, CA, etc.)',
        '# TYPE istio_agent_num_outgoing_requests counter',
        'istio_agent_num_outgoing_requests{request_type="csr"} 4',
        'istio_agent_num_failed_outgoing_requests{request_type="csr"} 0',
      ];
      const secs = spec.certExpiresAt !== undefined ? (spec.certExpiresAt - agentClock()) / 1000 : spec.certExpirySeconds;
      if (secs !== undefined) {
        lines.push(
          '# HELP istio_agent_cert_expiry_seconds The time remaining, in seconds, before the certificate chain will expire. A negative value indicates the cert is expired.',
          '# TYPE istio_agent_cert_expiry_seconds gauge',
          `istio_agent_cert_expiry_seconds{resource_name="default"} ${secs}`,
        );
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(lines.join('\n') + '\n');
      return;
    }
    if (path === '/healthz/ready') {
      res.writeHead(spec.ready === false ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(spec.ready === false ? 'Envoy proxy is NOT ready: config not received from Pilot (is Pilot running?): cds updates: 0 successful, 0 rejected; lds updates: 0 successful, 0 rejected\n' : '');
      return;
    }
    res.writeHead(404);
    res.end();
  }, spec.port);
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
export async function closedPortUrl(): Promise<string> {
  const s = await listen((_q, r) => void r.end());
  const url = s.url;
  await s.close();
  return url;
}

// ---- Proxy evidence builders for rule tests (no server needed) ----

const secret = (name: string, kind: ProxySecret['kind'], certs: Issued[], state: ProxySecret['state'] = 'active'): ProxySecret => ({
  name,
  state,
  versionInfo: state === 'warming' ? 'uninitialized' : null,
  lastUpdated: '2026-11-29T02:00:03.262Z',
  kind,
  pems: certs.map((c) => c.pem),
  trustDomains: [],
  error: null,
  clientStatus: null,
});

export interface ProxyEvidenceSpec {
  chain?: Issued[];
  roots?: Issued[];
  warming?: string[];
  served?: Issued[];
  mounted?: Issued[];
  agentExpiresAt?: number;
  agentAt?: number;
  stats?: Array<{ at: number; values: Record<string, number> }>;
  rejected?: { name: string; details: string };
}

/** Proxy evidence as the collector would have recorded it. */
export function proxyEvidence(s: ProxyEvidenceSpec): ProxyEvidence {
  const p = emptyProxyEvidence();
  p.secretsRead = true;
  if (s.chain) p.secrets.push(secret('default', 'tls-certificate', s.chain));
  if (s.roots) p.secrets.push(secret('ROOTCA', 'validation-context', s.roots));
  for (const w of s.warming ?? []) p.secrets.push(secret(w, 'empty', [], 'warming'));
  if (s.rejected) {
    const r = p.secrets.find((x) => x.name === s.rejected!.name);
    if (r) r.error = s.rejected.details;
  }
  p.served = (s.served ?? []).map((c): ServedCert => ({
    kind: 'leaf',
    serial: normalizeSerial(c.cert.serialNumber),
    sans: [],
    validFrom: c.cert.notBefore.toISOString(),
    expirationTime: c.cert.notAfter.toISOString(),
    contexts: 2,
  }));
  if (s.mounted) p.files.push({ path: '/var/run/secrets/workload-spiffe-credentials/cert-chain.pem', kind: 'cert-chain', pems: s.mounted.map((c) => c.pem), key: null, error: null });
  if (s.agentExpiresAt !== undefined) {
    const at = s.agentAt ?? Date.parse('2026-11-29T03:00:00Z');
    p.agent = { at: new Date(at).toISOString(), certExpirySeconds: { default: (s.agentExpiresAt - at) / 1000 }, metrics: {}, ready: true, readyDetail: 'ready' };
  }
  p.stats = (s.stats ?? []).map((x): StatsSample => ({ at: new Date(x.at).toISOString(), values: x.values }));
  return p;
}

/** Evidence as a pod diagnosis would record it: the proxy part, and (optionally) chain and trust as usual. */
export async function evidenceWithProxy(spec: ProxyEvidenceSpec, base?: EvidenceSpec): Promise<EvidenceBundle> {
  const ev = base ? await evidenceFor(base) : evidenceFromInputs({ label: sourceLabel, target: { kind: 'pod' }, at: NOW, now: () => NOW });
  return { ...ev, proxy: proxyEvidence(spec) };
}

/**
 * Runs the CLI in this process (the fake servers live here too, so a blocking spawnSync would starve them).
 * `env` is the environment the CLI sees (the pod's, for the workload identity).
 */
export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // .ci/run sets MTLS_DOCTOR_BIN to run the scenarios against a built executable (the image's payload under
  // Node 24, the single executable): then the CLI is spawned, with the same environment and nothing else.
  if (process.env.MTLS_DOCTOR_BIN) return spawnCli(process.env.MTLS_DOCTOR_BIN, args, { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env });
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { NO_COLOR: '1', ...env } });
  return { code, stdout, stderr };
}

function spawnCli(bin: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('error', reject);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code: code ?? -1, stdout, stderr })));
  });
}
