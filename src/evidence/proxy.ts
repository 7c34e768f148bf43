/**
 * Evidence from the istio-proxy: what the Envoy admin API, the pilot-agent and the mounted credential files
 * showed. Plain JSON, saved with the rest of the bundle (`EvidenceBundle.proxy`) and replayed offline.
 *
 * Never holds private key material: Envoy redacts the SDS key itself, and a key file found on disk is reduced
 * at collection time to its public facts (`KeyEvidence`).
 */
import type { KeyEvidence } from './cert-set.js';

/** One SDS secret as Envoy's config_dump showed it (`default`, `ROOTCA`, `kubernetes://…`, `file-root:…`). */
export interface ProxySecret {
  name: string;
  /** `active`: delivered and in use; `warming`: requested, never delivered (`version_info: "uninitialized"`). */
  state: 'active' | 'warming' | 'static';
  versionInfo: string | null;
  lastUpdated: string | null;
  /** What the secret holds. `empty`: nothing (a warming secret, or an unknown type). */
  kind: 'tls-certificate' | 'validation-context' | 'empty';
  /** Certificates of a tls_certificate's chain, or of a validation context's trusted_ca, as PEM. */
  pems: string[];
  /** SPIRE-style `custom_validator_config` (envoy.tls.cert_validator.spiffe): one bundle per trust domain. */
  trustDomains: Array<{ name: string; pems: string[] }>;
  /** Envoy's `error_state` (the last update was rejected), when present. */
  error: string | null;
  /** Newer Envoy's `client_status` (ACKED, NACKED, REQUESTED, DOES_NOT_EXIST…), when present. */
  clientStatus: string | null;
}

/** A certificate as `/certs` lists it (leaf of a TLS context, or the first CA of its trust bundle), deduplicated by serial. */
export interface ServedCert {
  kind: 'leaf' | 'ca';
  /** Lowercase hex without leading zeros or colons. */
  serial: string;
  sans: string[];
  validFrom: string | null;
  expirationTime: string | null;
  /** How many TLS contexts (filter chains, clusters) list it. */
  contexts: number;
}

/** One `/stats?format=json` sample: counter and gauge values by full stat name (histograms dropped). */
export interface StatsSample {
  /** When it was taken (ISO 8601). */
  at: string;
  values: Record<string, number>;
}

export interface AgentEvidence {
  /** When the metrics were read (ISO 8601): `istio_agent_cert_expiry_seconds` counts from here. */
  at: string;
  /** `istio_agent_cert_expiry_seconds` by `resource_name` (negative: expired). */
  certExpirySeconds: Record<string, number>;
  /** Other agent metrics worth keeping (CSR failures, file secret failures), by full series text. */
  metrics: Record<string, number>;
  /** `/healthz/ready`: true on 200, false otherwise, null when it could not be asked. */
  ready: boolean | null;
  readyDetail: string | null;
}

/** A credential file found on the proxy's filesystem. Certificates as PEM; a key only as public facts. */
export interface MountedFile {
  path: string;
  /** `crl`: Istio's ca-crl.pem (plug-in CA revocation list); its `pems` are "X509 CRL" blocks. */
  kind: 'cert-chain' | 'root-cert' | 'key' | 'crl';
  pems: string[];
  key: KeyEvidence | null;
  /** Why it could not be used (unreadable, not PEM…); null when it was read. */
  error: string | null;
}

export interface ProxyIdentity {
  /** The SPIFFE ID Istio gives this workload: spiffe://TRUST_DOMAIN/ns/POD_NAMESPACE/sa/SERVICE_ACCOUNT. */
  spiffeId: string;
  /** Where the parts came from: `env`, `/proc/123/environ`. */
  from: string;
}

export interface ProxyEvidence {
  /** Envoy admin answered the secrets query (even with none): `secrets` is what it holds. */
  secretsRead: boolean;
  /** SDS secrets from `/config_dump` (active, warming, static). Empty when the admin API was not reachable. */
  secrets: ProxySecret[];
  /** `/certs`, deduplicated by serial. */
  served: ServedCert[];
  /** `/stats?format=json` samples in time order (two, `--window` apart, when asked). */
  stats: StatsSample[];
  /** The stats filter regex that was asked for. */
  statsFilter: string | null;
  agent: AgentEvidence | null;
  files: MountedFile[];
  /** The filesystem root the files were read under (`/`, `/proc/123/root`, `--proxy-root DIR`). */
  root: string | null;
  identity: ProxyIdentity | null;
}

export function emptyProxyEvidence(): ProxyEvidence {
  return { secretsRead: false, secrets: [], served: [], stats: [], statsFilter: null, agent: null, files: [], root: null, identity: null };
}

/** Shape check for a replayed bundle's `proxy` part: the problem in words, or null when it is usable. */
export function proxyEvidenceProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return '"proxy" is not an object';
  const p = x as Record<string, unknown>;
  for (const k of ['secrets', 'served', 'stats', 'files'] as const) if (!Array.isArray(p[k])) return `"proxy.${k}" is not a list`;
  const bad = (p.secrets as unknown[]).findIndex((s) => !s || typeof s !== 'object' || !Array.isArray((s as ProxySecret).pems) || !Array.isArray((s as ProxySecret).trustDomains));
  if (bad >= 0) return `"proxy.secrets[${bad}]" has no "pems"/"trustDomains" lists`;
  const badStats = (p.stats as unknown[]).findIndex((s) => !s || typeof s !== 'object' || typeof (s as StatsSample).at !== 'string' || typeof (s as StatsSample).values !== 'object');
  if (badStats >= 0) return `"proxy.stats[${badStats}]" needs "at" and "values"`;
  const badFile = (p.files as unknown[]).findIndex((f) => !f || typeof f !== 'object' || !Array.isArray((f as MountedFile).pems));
  if (badFile >= 0) return `"proxy.files[${badFile}]" has no "pems" list`;
  return null;
}

/** What Envoy's `/certs` does not show of a certificate (it lists serial, SANs and validity only). */
export const CERTS_LACK = 'no issuer, key, signature, key usage or extensions: /certs shows serial, SANs and validity only';
