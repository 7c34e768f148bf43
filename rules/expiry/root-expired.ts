/**
 * RFC 5280 §6.1.3 (a)(2) as implemented by OpenSSL and BoringSSL: a trust anchor past notAfter fails
 * verification (X509_V_ERR_CERT_HAS_EXPIRED at the top depth). Istio's self-signed root lives 10 years, so
 * it is the CA nobody watches.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { caCertificates, describe, duration, iso, validityEvidence, fileOf, x509Of } from '../../src/engine/rule-helpers.js';

export default defineRule({
  meta: {
    id: 'expiry/root-expired',
    stage: 'expiry',
    severity: 'critical',
    title: 'Root CA certificate expired',
    description: 'The root the chain ends at (or a root in the mesh CA material) is past its notAfter date.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §6.1.3 (a)(2)',
    messages: {
      expired:
        'Root CA {cert} expired at {notAfter}, {ago} ago. Verifiers reject every chain that ends at it, so all mTLS in the trust domain fails at once.',
    },
    remediation: [
      'Create a new root (or re-sign the old root key with new dates), and distribute it to every trust bundle before any workload uses it (add, then switch, then remove)',
      'Istio self-signed CA: follow the root transition procedure (istio.io "Plug in CA certificates" / root cert rotation); plug-in CA: update the cacerts Secret and restart istiod',
      'Restart workloads after the new root is in every trust bundle',
    ],
    verify: '{x509} -noout -subject -enddate -checkend 0',
  },
  check(ctx) {
    for (const { cert, level, chain } of caCertificates(ctx.facts)) {
      if (level !== 'root' || ctx.now <= cert.notAfter) continue;
      ctx.report({
        messageId: 'expired',
        subject: chain?.subject ?? 'ca',
        about: cert.fingerprint,
        data: { cert: describe(cert), notAfter: iso(cert.notAfter), ago: duration(ctx.now - cert.notAfter), file: fileOf(cert), x509: x509Of(cert) },
        evidence: [validityEvidence(cert, ctx.now)],
      });
    }
  },
});
