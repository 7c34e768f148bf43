/**
 * Every rule, in stage order: expiry → chain → san → key-usage (→ transport → policy). Listed by hand: the
 * order is the engine's order, and a later rule may link to an earlier one with `causedBy`. The meta-test
 * checks this list against the folder.
 */
import type { Rule } from '../src/engine/define-rule.js';

import leafExpired from './expiry/leaf-expired.js';
import intermediateExpired from './expiry/intermediate-expired.js';
import rootExpired from './expiry/root-expired.js';
import notYetValid from './expiry/not-yet-valid.js';
import rotationStalled from './expiry/rotation-stalled.js';
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
import weakAlgorithm from './chain/weak-algorithm.js';

import sanMissing from './san/missing.js';
import malformedSpiffeId from './san/malformed-spiffe-id.js';
import trustDomainMismatch from './san/trust-domain-mismatch.js';
import identityMismatch from './san/identity-mismatch.js';

import missingClientAuth from './key-usage/missing-client-auth.js';
import missingServerAuth from './key-usage/missing-server-auth.js';
import missingDigitalSignature from './key-usage/missing-digital-signature.js';
import caMissingCertSign from './key-usage/ca-missing-cert-sign.js';

export const rules: readonly Rule[] = [
  leafExpired,
  intermediateExpired,
  rootExpired,
  notYetValid,
  rotationStalled,
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
  weakAlgorithm,
  sanMissing,
  malformedSpiffeId,
  trustDomainMismatch,
  identityMismatch,
  missingClientAuth,
  missingServerAuth,
  missingDigitalSignature,
  caMissingCertSign,
] as Rule[];
