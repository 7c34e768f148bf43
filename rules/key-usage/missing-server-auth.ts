/**
 * RFC 5280 §4.2.1.12: "If the extension is present, then the certificate MUST only be used for one of the
 * purposes indicated." A mesh workload is both client and server, so its leaf needs id-kp-serverAuth (unless the
 * extension is absent, or holds anyExtendedKeyUsage).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { checkLeafEku } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'key-usage/missing-server-auth',
    stage: 'key-usage',
    severity: 'critical',
    title: 'Certificate not allowed for TLS servers (serverAuth missing)',
    description: 'The leaf is used as a TLS server but its extended key usage lacks serverAuth.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.2.1.12',
    explains: [
      { symptom: 'verify:invalid-purpose', weight: 0.7, why: 'A client checking a server certificate needs EKU serverAuth.' },
      { symptom: 'alert:43', weight: 0.55, why: 'As a server: our certificate lacks EKU serverAuth.' },
      { symptom: 'envoy:was_key_usage_invalid', weight: 0.6, why: 'A server certificate without serverAuth has a key usage unfit for its use.' },
    ],
    hint: {
      confirm: 'Extended Key Usage lacks "TLS Web Server Authentication"',
      next: 'openssl x509 -in cert-chain.pem -noout -ext extendedKeyUsage,keyUsage',
      fix: 'Re-issue with EKU serverAuth + clientAuth.',
    },
    messages: {
      missing: '{whose} leaf {cert} is used as a TLS server{why}, but its extended key usage is {eku}, without serverAuth: the client rejects the server certificate ("unsupported certificate purpose" / Go "x509: certificate specifies an incompatible key usage"; alert 43).',
    },
    remediation: [
      'Re-issue the certificate with extendedKeyUsage = serverAuth, clientAuth (cert-manager: spec.usages: [server auth, client auth, digital signature, key encipherment])',
    ],
    verify: '{x509} -noout -ext extendedKeyUsage',
  },
  check(ctx) {
    checkLeafEku(ctx, 'server', 'serverAuth');
  },
});
