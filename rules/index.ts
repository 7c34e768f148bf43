/**
 * Every rule, in stage order: expiry → chain → san → key-usage (→ transport → policy). Listed by hand: the
 * order is the engine's order, and a later rule may link to an earlier one with `causedBy`. The meta-test
 * checks this list against the folder.
 *
 * Adding a rule: a file rules/<stage>/<name>.ts default-exporting defineRule({ meta, check }); its id in
 * src/model/rule-id.ts; a table test in test/rules/<id>.test.ts; `npm run docs`. What it knows about symptoms
 * goes into its own meta (`explains: [{ symptom, weight, why }]`, `hint: { confirm, next, fix }`), earlier
 * rules it reads into `meta.reads`; shared helpers and verify-command builders are in rules/_kit/ (see its
 * index.ts and the JSDoc of RuleMeta in src/engine/define-rule.ts).
 */
import type { Rule } from '../src/engine/define-rule.js';

import leafExpired from './expiry/leaf-expired.js';
import intermediateExpired from './expiry/intermediate-expired.js';
import rootExpired from './expiry/root-expired.js';
import notYetValid from './expiry/not-yet-valid.js';
import rotationStalled from './expiry/rotation-stalled.js';
import servedCertStale from './expiry/served-cert-stale.js';
import leafExpiring from './expiry/leaf-expiring.js';
import intermediateExpiring from './expiry/intermediate-expiring.js';
import rootExpiring from './expiry/root-expiring.js';
import outlivesIssuer from './expiry/outlives-issuer.js';

import keyMismatch from './chain/key-mismatch.js';
import badSignature from './chain/bad-signature.js';
import issuerNotCa from './chain/issuer-not-ca.js';
import pathLengthExceeded from './chain/path-length-exceeded.js';
import incompleteChain from './chain/incomplete-chain.js';
import rotationOrderViolation from './chain/rotation-order-violation.js';
import unknownAuthority from './chain/unknown-authority.js';
import trustBundleDuplicateSubject from './chain/trust-bundle-duplicate-subject.js';
import caMaterialNotCa from './chain/ca-material-not-ca.js';
import weakAlgorithm from './chain/weak-algorithm.js';
import unknownCriticalExtension from './chain/unknown-critical-extension.js';
import malformedCertificate from './chain/malformed-certificate.js';
import nameConstraintsViolated from './chain/name-constraints-violated.js';
import invalidNameConstraints from './chain/invalid-name-constraints.js';
import leafIsCa from './chain/leaf-is-ca.js';
import verifierRejects from './chain/verifier-rejects.js';
import maxDepthExceeded from './chain/max-depth-exceeded.js';
import certificateRevoked from './chain/certificate-revoked.js';
import crlUnusable from './chain/crl-unusable.js';
import crlExpired from './chain/crl-expired.js';

import sanMissing from './san/missing.js';
import malformedSpiffeId from './san/malformed-spiffe-id.js';
import trustDomainMismatch from './san/trust-domain-mismatch.js';
import identityMismatch from './san/identity-mismatch.js';

import missingClientAuth from './key-usage/missing-client-auth.js';
import missingServerAuth from './key-usage/missing-server-auth.js';
import missingDigitalSignature from './key-usage/missing-digital-signature.js';
import caMissingCertSign from './key-usage/ca-missing-cert-sign.js';
import intermediateEkuMismatch from './key-usage/intermediate-eku-mismatch.js';

import sdsNotDelivered from './transport/sds-not-delivered.js';
import peerUnreachable from './transport/peer-unreachable.js';
import peerNotTls from './transport/peer-not-tls.js';
import protocolVersionMismatch from './transport/protocol-version-mismatch.js';
import cipherMismatch from './transport/cipher-mismatch.js';
import alpnMismatch from './transport/alpn-mismatch.js';
import sniMismatch from './transport/sni-mismatch.js';
import clientNotTls from './transport/client-not-tls.js';
import unexpectedServer from './transport/unexpected-server.js';
import clientCertRequired from './transport/client-cert-required.js';
import peerRejectedCertificate from './transport/peer-rejected-certificate.js';

import strictPlaintextClient from './policy/strict-plaintext-client.js';
import tlsToPlaintextServer from './policy/tls-to-plaintext-server.js';
import destinationRuleOverridesMtls from './policy/destination-rule-overrides-mtls.js';
import trustDomainAliasMissing from './policy/trust-domain-alias-missing.js';
import rootConfigmapStale from './policy/root-configmap-stale.js';
import portProtocolSelection from './policy/port-protocol-selection.js';

export const rules: readonly Rule[] = [
  // The CA levels before the leaf: a leaf that expired under an expired CA names that CA's finding as its cause.
  intermediateExpired,
  rootExpired,
  leafExpired,
  notYetValid,
  rotationStalled,
  servedCertStale,
  leafExpiring,
  intermediateExpiring,
  rootExpiring,
  outlivesIssuer,
  keyMismatch,
  badSignature,
  issuerNotCa,
  pathLengthExceeded,
  incompleteChain,
  rotationOrderViolation,
  unknownAuthority,
  trustBundleDuplicateSubject,
  caMaterialNotCa,
  weakAlgorithm,
  unknownCriticalExtension,
  malformedCertificate,
  nameConstraintsViolated,
  invalidNameConstraints,
  leafIsCa,
  verifierRejects,
  maxDepthExceeded,
  certificateRevoked,
  crlUnusable,
  crlExpired,
  sanMissing,
  malformedSpiffeId,
  trustDomainMismatch,
  identityMismatch,
  missingClientAuth,
  missingServerAuth,
  missingDigitalSignature,
  caMissingCertSign,
  intermediateEkuMismatch,
  sdsNotDelivered,
  peerUnreachable,
  peerNotTls,
  protocolVersionMismatch,
  cipherMismatch,
  alpnMismatch,
  sniMismatch,
  clientNotTls,
  unexpectedServer,
  clientCertRequired,
  peerRejectedCertificate,
  strictPlaintextClient,
  tlsToPlaintextServer,
  destinationRuleOverridesMtls,
  trustDomainAliasMissing,
  rootConfigmapStale,
  portProtocolSelection,
] as Rule[];
