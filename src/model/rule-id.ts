/**
 * Every public rule id (`<stage>/<kebab-name>`, equal to the file path under `rules/`). A new rule adds its id
 * here, in its stage's block; the meta-test checks this list against rules/index.ts and the folder.
 */
export const RULE_IDS = [
  'chain/bad-signature',
  'chain/certificate-revoked',
  'chain/crl-expired',
  'chain/crl-unusable',
  'chain/incomplete-chain',
  'chain/invalid-name-constraints',
  'chain/issuer-not-ca',
  'chain/key-mismatch',
  'chain/leaf-is-ca',
  'chain/malformed-certificate',
  'chain/max-depth-exceeded',
  'chain/name-constraints-violated',
  'chain/path-length-exceeded',
  'chain/rotation-order-violation',
  'chain/trust-bundle-duplicate-subject',
  'chain/unknown-authority',
  'chain/unknown-critical-extension',
  'chain/weak-algorithm',
  'expiry/intermediate-expired',
  'expiry/intermediate-expiring',
  'expiry/leaf-expired',
  'expiry/leaf-expiring',
  'expiry/not-yet-valid',
  'expiry/outlives-issuer',
  'expiry/root-expired',
  'expiry/root-expiring',
  'expiry/rotation-stalled',
  'expiry/served-cert-stale',
  'key-usage/ca-missing-cert-sign',
  'key-usage/intermediate-eku-mismatch',
  'key-usage/missing-client-auth',
  'key-usage/missing-digital-signature',
  'key-usage/missing-server-auth',
  'san/identity-mismatch',
  'san/malformed-spiffe-id',
  'san/missing',
  'san/trust-domain-mismatch',
  'transport/alpn-mismatch',
  'transport/cipher-mismatch',
  'transport/client-cert-required',
  'transport/peer-not-tls',
  'transport/peer-rejected-certificate',
  'transport/peer-unreachable',
  'transport/protocol-version-mismatch',
  'transport/sds-not-delivered',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

const KNOWN = new Set<string>(RULE_IDS);
export const isRuleId = (s: string): s is RuleId => KNOWN.has(s);
