/**
 * RFC 5280 §6.1.3 (a)(2): every certificate on the path must be within its validity period. An expired
 * intermediate breaks every leaf it issued at once — the classic 3 AM outage, because dashboards watch
 * the leaf (which rotates) and not the CA above it.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { caCertificates, describe, duration, iso, validityEvidence, x509Of } from '../_kit/index.js';

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
    explains: [
      { symptom: 'verify:expired-ca', weight: 0.9, why: 'Depth 1 and up are CA certificates; in an Istio chain depth 1 is usually the issuing intermediate (plugged-in CA, Vault, istio-csr).' },
      { symptom: 'verify:expired-upper', weight: 0.6, why: 'With two intermediates, depth 2 is the upper intermediate.' },
      { symptom: 'verify:expired', weight: 0.7, why: 'An expired intermediate CA fails every chain it issued, while the leaves themselves still look valid.' },
      { symptom: 'verify:failed', weight: 0.46, why: 'An expired intermediate fails every chain it issued.' },
      { symptom: 'verify:failed-client', weight: 0.4, why: 'Its intermediate expired.' },
      { symptom: 'alert:45', weight: 0.75, why: 'Or our issuing intermediate expired while the leaf is still in its window.' },
      { symptom: 'alert:42', weight: 0.4, why: 'An expired intermediate in our chain.' },
      { symptom: 'envoy:fail_verify_error', weight: 0.55, why: 'An expired intermediate fails the verification of every chain it issued.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.75, why: 'Go verifies the whole path; an expired intermediate fails it: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.75, why: 'webpki checks every certificate\'s dates on the path: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.75, why: 'GnuTLS checks every certificate\'s dates on the path: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the issuing CA\'s Not After (cacerts ca-cert.pem, or depth 1 of the served chain) is in the past',
      next: 'istioctl proxy-config secret {pod} -n NS -o json | jq -r \'.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes\' | base64 -d > cert-chain.pem && mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem',
      fix: 'Renew the intermediate (cacerts / Vault / istio-csr issuer), restart istiod, then roll the workloads.',
    },
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
        data: { cert: describe(cert), notAfter: iso(cert.notAfter), ago: duration(ctx.now - cert.notAfter), depth: depth >= 0 ? depth : 'n/a', x509: x509Of(cert) },
        evidence: [validityEvidence(cert, ctx.now)],
      });
    }
  },
});
