/**
 * RFC 5280 §6.1.3 (a)(2): every certificate on the path must be within its validity period. An expired
 * intermediate breaks every leaf it issued at once — the classic 3 AM outage, because dashboards watch
 * the leaf (which rotates) and not the CA above it.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { caCertificates, describe, duration, iso, validityEvidence, fileOf, x509Of } from '../../src/engine/rule-helpers.js';

export default defineRule({
  meta: {
    id: 'expiry/intermediate-expired',
    stage: 'expiry',
    severity: 'critical',
    title: 'Intermediate CA certificate expired',
    description: 'An intermediate CA on the chain (or in the mesh CA material) is past its notAfter date.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §6.1.3 (a)(2)',
    messages: {
      expired:
        'Intermediate CA {cert} expired at {notAfter}, {ago} ago. Every certificate it issued now fails verification (OpenSSL: "certificate has expired" at depth {depth}), even freshly rotated leaves: rotating workloads does not help until the CA is renewed.',
    },
    remediation: [
      'Renew the intermediate (plug-in CA: re-issue ca-cert.pem from your root and update the cacerts Secret in istio-system)',
      'Restart istiod so it loads the new CA: kubectl rollout restart deployment/istiod -n istio-system',
      'Then restart workloads (or wait for rotation) so every leaf is re-issued under the new intermediate',
    ],
    verify: '{x509} -noout -subject -enddate -checkend 0',
  },
  check(ctx) {
    for (const { cert, level, chain } of caCertificates(ctx.facts)) {
      if (level !== 'intermediate' || ctx.now <= cert.notAfter) continue;
      const depth = chain ? chain.path.indexOf(cert) : -1;
      ctx.report({
        messageId: 'expired',
        subject: chain?.subject ?? 'ca',
        about: cert.fingerprint,
        data: { cert: describe(cert), notAfter: iso(cert.notAfter), ago: duration(ctx.now - cert.notAfter), depth: depth >= 0 ? depth : 'n/a', file: fileOf(cert), x509: x509Of(cert) },
        evidence: [validityEvidence(cert, ctx.now)],
      });
    }
  },
});
