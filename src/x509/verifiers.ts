/**
 * Verifier profiles: whose certificate verifier judges the chain. A mesh does not have one verifier: sidecars
 * verify with Envoy's BoringSSL, ambient mode with ztunnel's rustls-webpki, proxyless gRPC and SPIRE agents with
 * Go's crypto/x509; `strict` reads RFC 5280 and the CA/B Forum Baseline Requirements as the strictest verifiers
 * (OpenSSL X509_STRICT, pyca/cryptography) do. The checks on which they disagree, and which rule reports each,
 * are the rules' knowledge: rules/_kit/verifier-checks.ts. Here: the profiles, and the one difference that decides
 * an input of path validation rather than a finding (the evaluation time).
 *
 * Sources read for VALIDITY_TIME: google/boringssl @ a0689af29e8e, rustls/webpki @ 1bff41a41a01, golang/go
 * src/crypto/x509/x509limbo_test.go @ 71b7a760b53b. Pure: no I/O.
 */

export const VERIFIER_IDS = ['envoy', 'ztunnel', 'go', 'strict'] as const;
export type VerifierId = (typeof VERIFIER_IDS)[number];
/** The profile when nothing says otherwise: an Istio sidecar, i.e. Envoy. */
export const DEFAULT_VERIFIER: VerifierId = 'envoy';

export interface VerifierProfile {
  id: VerifierId;
  /** How a finding names it: `Envoy (BoringSSL)`. */
  label: string;
  /** Who verifies with it in a mesh. */
  usedBy: string;
}

export const VERIFIERS: Record<VerifierId, VerifierProfile> = {
  envoy: { id: 'envoy', label: 'Envoy (BoringSSL)', usedBy: 'Istio sidecars and gateways' },
  ztunnel: { id: 'ztunnel', label: 'ztunnel (rustls-webpki)', usedBy: "Istio ambient mode's ztunnel (and Linkerd's proxy)" },
  go: { id: 'go', label: 'Go (crypto/x509)', usedBy: 'proxyless gRPC, SPIRE agents and Go services' },
  strict: { id: 'strict', label: 'strict (RFC 5280 + CA/B Forum)', usedBy: 'audits; the reading of OpenSSL X509_STRICT and pyca/cryptography' },
};

/** Parses a `--verifier` value; undefined when it is not a profile. */
export function parseVerifier(v: unknown): VerifierId | undefined {
  return typeof v === 'string' && (VERIFIER_IDS as readonly string[]).includes(v) ? (v as VerifierId) : undefined;
}

/**
 * Which profile applies when the user did not name one. Cluster mode knows more than a single pod's files do: a
 * pod labelled `istio.io/dataplane-mode=ambient` (or traffic that crosses a ztunnel) is verified by ztunnel. The
 * evidence carries it as `target.dataplaneMode` (read by buildFacts); with nothing said, Envoy.
 */
export function verifierFromEvidence(hints: { dataplaneMode?: string | null; ztunnelInPath?: boolean } = {}): VerifierId {
  if (hints.ztunnelInPath || hints.dataplaneMode === 'ambient') return 'ztunnel';
  return DEFAULT_VERIFIER;
}


const BSSL = 'google/boringssl';
const WEBPKI = 'rustls/webpki';
const GO_LIMBO_FAILURES = 'golang/go src/crypto/x509/x509limbo_test.go allowedUnexpectedFailures';

/**
 * Validity periods: whole seconds (as certificates encode time) or instants. Not a finding of its own: it decides
 * the evaluation time every expiry rule compares with (limbo's rfc5280::validity::notafter-fractional).
 */
export const VALIDITY_TIME = {
  title: 'Validity compared at whole seconds or at the instant',
  spec: 'RFC 5280 §4.1.2.5: the validity period is the time from notBefore through notAfter, inclusive (encoded to the second)',
  instant: ['go'] as readonly VerifierId[],
  source: {
    envoy: `${BSSL} crypto/x509/x509_vfy.cc check_cert_time(): X509_VERIFY_PARAM check_time, int64 seconds (time_t)`,
    ztunnel: `${WEBPKI} src/verify_cert.rs check_validity(): UnixTime, whole seconds`,
    go: `${GO_LIMBO_FAILURES} rfc5280::validity::notafter-fractional: "Go uses instantaneous time comparisons" (verify.go isValid: now.After(c.NotAfter))`,
    strict: 'pyca cryptography-x509-verification compares whole seconds (limbo: SUCCESS)',
  } as Record<VerifierId, string>,
};

/** The instant validity is judged at under a profile: `at` itself for Go, else `at` truncated to the second. */
export function evaluationTime(at: number, verifier: VerifierId): number {
  return VALIDITY_TIME.instant.includes(verifier) ? at : Math.floor(at / 1000) * 1000;
}

const GO_VERIFY = 'golang/go src/crypto/x509/verify.go';

/** How far a verifier follows a chain before it gives up, and what it says then. */
export interface ChainLimit {
  /** Most intermediate CAs between the leaf and the trust anchor (every CA counts, self-issued too); null: no such limit. */
  maxIntermediates: number | null;
  /** Most signature checks one verification makes (each candidate issuer tried costs one); null: no such budget. */
  maxSignatureChecks: number | null;
  /** The verifier's own words when the chain is over the limit. */
  error: string;
  source: string;
}

/**
 * Chain length and path-building budgets, per profile (issue 22: a chain beyond what we follow is beyond what the
 * verifier follows too). OpenSSL and BoringSSL share X509_VERIFY_PARAM's default depth of 100, counted in
 * intermediates: "the maximum number of intermediate CA certificates that can appear in a chain ... neither the
 * end-entity certificate nor the trust-anchor count against this limit" (OpenSSL X509_VERIFY_PARAM_set_depth(3));
 * Envoy leaves it when CertificateValidationContext.max_verify_depth is unset. rustls-webpki stops after 6
 * intermediates. Go has no depth limit but a budget of 100 signature checks per verification: a path of n links
 * (n-1 intermediates and the root) costs at least n checks.
 */
export const CHAIN_LIMITS: Record<VerifierId, ChainLimit> = {
  envoy: {
    maxIntermediates: 100,
    maxSignatureChecks: null,
    error: 'certificate chain too long (X509_V_ERR_CERT_CHAIN_TOO_LONG, alert unknown_ca)',
    source: `${BSSL} crypto/x509/x509_vfy.cc: X509_VERIFY_PARAM depth, default 100 (crypto/x509/x509_vpm.cc); Envoy max_verify_depth unset`,
  },
  ztunnel: {
    maxIntermediates: 6,
    maxSignatureChecks: 100,
    error: 'MaximumPathDepthExceeded',
    source: `${WEBPKI} src/verify_cert.rs: MAX_SUB_CA_COUNT = 6 (PartialPath::push), Budget { signatures: 100 }`,
  },
  go: {
    maxIntermediates: null,
    maxSignatureChecks: 100,
    error: 'x509: signature check attempts limit reached while verifying certificate chain',
    source: `${GO_VERIFY}: maxChainSignatureChecks = 100 (buildChains, considerCandidate)`,
  },
  strict: {
    maxIntermediates: 100,
    maxSignatureChecks: null,
    error: 'certificate chain too long (X509_V_ERR_CERT_CHAIN_TOO_LONG)',
    source: 'OpenSSL X509_VERIFY_PARAM_set_depth(3): default depth 100 intermediates',
  },
};

/**
 * Why a profile rejects a path by its length alone: `intermediates` CAs between the leaf and the anchor, reached
 * with at least `links` signature checks; `atLeast` when the path was cut before its end (longer than shown).
 * Null when the profile's limits allow it.
 */
export function chainLimitExceeded(verifier: VerifierId, intermediates: number, links: number, atLeast = false): { limit: string; over: string } | null {
  const l = CHAIN_LIMITS[verifier];
  const more = atLeast ? 'more than ' : '';
  if (l.maxIntermediates !== null && intermediates > l.maxIntermediates)
    return { limit: `at most ${l.maxIntermediates} intermediate CAs`, over: `${more}${intermediates} intermediate CAs` };
  if (l.maxSignatureChecks !== null && links > l.maxSignatureChecks)
    return { limit: `at most ${l.maxSignatureChecks} signature checks`, over: `${more}${links} signature checks, one per link` };
  return null;
}
