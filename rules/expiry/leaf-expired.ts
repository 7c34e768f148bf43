/**
 * RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time from notBefore through
 * notAfter, inclusive." A workload leaf past notAfter is rejected by every peer (alert 45 certificate_expired).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence, whose, fileOf, x509Of } from '../../src/engine/rule-helpers.js';

export default defineRule({
  meta: {
    id: 'expiry/leaf-expired',
    stage: 'expiry',
    severity: 'critical',
    title: 'Workload certificate expired',
    description: 'The leaf certificate is past its notAfter date, so peers reject it.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §4.1.2.5',
    messages: {
      expired:
        '{whose} workload certificate {cert} expired at {notAfter}, {ago} ago. Every peer that verifies it rejects the handshake (TLS alert 45 certificate_expired; Envoy counts fail_verify_error). In Istio the agent should have re-signed it at about half its {lifetime} lifetime: an expired leaf means rotation stopped, or Envoy never received the new certificate over SDS.',
      expiredUnderExpiredCa:
        '{whose} workload certificate {cert} expired at {notAfter}, {ago} ago, after the CA above it, {ca}, had already expired at {caNotAfter}. That CA is the cause: since it expired, rotation has had no valid CA to issue from, and restarting the workload cannot help until the CA is renewed.',
    },
    remediation: [
      'Check the sidecar agent: kubectl logs POD -c istio-proxy | grep -iE "cert|sds|csr" (can it reach istiod:15012? is the CA rejecting CSRs?)',
      'Restart the workload to force a fresh certificate: kubectl rollout restart deployment/NAME -n NS',
      'If the CA itself cannot sign, look at istiod: kubectl logs -n istio-system deploy/istiod | grep -i csr',
    ],
    verify: '{x509} -noout -enddate -checkend 0',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      if (ctx.now <= leaf.notAfter) continue;
      const data = { whose: whose(chain), cert: describe(leaf), notAfter: iso(leaf.notAfter), ago: duration(ctx.now - leaf.notAfter), lifetime: duration(leaf.notAfter - leaf.notBefore), file: fileOf(leaf), x509: x509Of(leaf) };
      // A CA on the path that expired before the leaf did is the cause (expiry/intermediate-expired or
      // root-expired reports it): the leaf is its consequence and ranks after it.
      const ca = chain.path.slice(1).find((c) => c.notAfter < leaf.notAfter && ctx.now > c.notAfter);
      if (ca) {
        ctx.report({
          messageId: 'expiredUnderExpiredCa',
          subject: chain.subject,
          about: leaf.fingerprint,
          causedBy: ca.selfIssued ? 'expiry/root-expired' : 'expiry/intermediate-expired',
          data: { ...data, ca: describe(ca), caNotAfter: iso(ca.notAfter) },
          evidence: [validityEvidence(leaf, ctx.now), validityEvidence(ca, ctx.now)],
        });
        continue;
      }
      ctx.report({ messageId: 'expired', subject: chain.subject, about: leaf.fingerprint, data, evidence: [validityEvidence(leaf, ctx.now)] });
    }
  },
});
