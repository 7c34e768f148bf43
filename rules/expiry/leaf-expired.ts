/**
 * RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time from notBefore through
 * notAfter, inclusive." A workload leaf past notAfter is rejected by every peer (alert 45 certificate_expired).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence, whose, x509Of } from '../_kit/index.js';

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
    // A leaf that expired under an already-expired CA names that CA's finding as its cause.
    reads: ['expiry/intermediate-expired', 'expiry/root-expired'],
    explains: [
      { symptom: 'verify:expired-leaf', weight: 0.95, why: 'Depth 0 is the workload (leaf) certificate: it is past its Not After.' },
      { symptom: 'verify:expired', weight: 0.8, why: 'Most often the workload leaf: the verifier found a certificate in the chain past its Not After.' },
      { symptom: 'verify:failed', weight: 0.45, why: 'The peer\'s workload certificate expired (rotation stalled).' },
      { symptom: 'verify:failed-client', weight: 0.4, why: 'The client certificate expired.' },
      { symptom: 'alert:45', weight: 0.85, why: 'Alert 45 certificate_expired: our workload certificate is past its Not After (consul#10213).' },
      { symptom: 'alert:42', weight: 0.5, why: 'Go and rustls report an expired certificate as bad_certificate too.' },
      { symptom: 'ca-request-failed', weight: 0.5, why: 'The old certificate keeps being served until it expires.' },
      { symptom: 'envoy:fail_verify_error', weight: 0.6, why: 'Envoy counts a peer chain it could not verify; an expired workload certificate is the commonest reason.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.8, why: 'An expired client certificate fails Go\'s x509 Verify: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.8, why: 'An expired client certificate fails webpki: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.8, why: 'An expired certificate fails GnuTLS\'s verification: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the leaf\'s Not After is before the time of the error (istioctl proxy-config secret shows NOT AFTER in the past)',
      next: 'istioctl proxy-config secret {pod} -n NS',
      fix: 'Restart the pod or the istio-agent so it requests a new certificate; then find why rotation stopped (agent log: "failed to rotate secret").',
    },
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
      const data = { whose: whose(chain), cert: describe(leaf), notAfter: iso(leaf.notAfter), ago: duration(ctx.now - leaf.notAfter), lifetime: duration(leaf.notAfter - leaf.notBefore), x509: x509Of(leaf) };
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
