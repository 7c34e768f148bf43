/**
 * RFC 5280 §6.1.3 (a)(2) as implemented by OpenSSL and BoringSSL: a trust anchor past notAfter fails
 * verification (X509_V_ERR_CERT_HAS_EXPIRED at the top depth). Istio's self-signed root lives 10 years, so
 * it is the CA nobody watches.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { caCertificates, describe, duration, iso, validityEvidence, x509Of } from '../_kit/index.js';

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
    explains: [
      { symptom: 'verify:expired-ca', weight: 0.55, why: 'If the chain is leaf → root with no intermediate, depth 1 is the root (self-signed Citadel roots live one year: istio#14516).' },
      { symptom: 'verify:expired-upper', weight: 0.85, why: 'Depth 2 is the root in a leaf → intermediate → root chain (or an expired cross-signed root the verifier chose: envoy#18510).' },
      { symptom: 'verify:expired', weight: 0.5, why: 'An expired root (or an expired cross-signed root the verifier chose) fails the whole mesh.' },
      { symptom: 'verify:failed', weight: 0.3, why: 'The root expired.' },
      { symptom: 'alert:45', weight: 0.45, why: 'Or the root our chain ends at expired.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.45, why: 'Or the root our chain ends at expired: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.45, why: 'Or the root our chain ends at expired: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.45, why: 'Or the root our chain ends at expired: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the root in root-cert.pem / istio-ca-root-cert has Not After in the past',
      next: 'kubectl -n NS get configmap istio-ca-root-cert -o jsonpath=\'{.data.root-cert\\.pem}\' | openssl x509 -noout -subject -enddate',
      fix: 'Issue a new root, distribute it to every trust bundle first, then re-issue intermediates and workload certificates.',
    },
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
        data: { cert: describe(cert), notAfter: iso(cert.notAfter), ago: duration(ctx.now - cert.notAfter), x509: x509Of(cert) },
        evidence: [validityEvidence(cert, ctx.now)],
      });
    }
  },
});
