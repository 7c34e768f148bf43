/**
 * RFC 5280 §4.2.1.12: "If the extension is present, then the certificate MUST only be used for one of the
 * purposes indicated." A mesh workload is both client and server, so its leaf needs id-kp-clientAuth (unless the
 * extension is absent, or holds anyExtendedKeyUsage).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { checkLeafEku } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'key-usage/missing-client-auth',
    stage: 'key-usage',
    severity: 'critical',
    title: 'Certificate not allowed for TLS clients (clientAuth missing)',
    description: 'The leaf is used as a TLS client but its extended key usage lacks clientAuth.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.2.1.12',
    explains: [
      { symptom: 'verify:invalid-purpose', weight: 0.85, why: 'A server checking a client certificate needs EKU clientAuth; mesh certificates are used both ways (istio#47708, grpc-java#6934).' },
      { symptom: 'verify:failed-client', weight: 0.45, why: 'The client certificate lacks EKU clientAuth.' },
      { symptom: 'alert:42', weight: 0.45, why: 'Go servers answer a client certificate without EKU clientAuth with bad_certificate (mimir#10647).' },
      { symptom: 'alert:43', weight: 0.85, why: 'BoringSSL maps X509_V_ERR_INVALID_PURPOSE to unsupported_certificate: our client certificate lacks EKU clientAuth (istio#47708).' },
      { symptom: 'envoy:was_key_usage_invalid', weight: 0.7, why: 'A client certificate without clientAuth has a key usage unfit for its use.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.7, why: 'Go verifies client certificates with KeyUsages clientAuth: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.7, why: 'webpki verify_is_valid_tls_client_cert requires EKU clientAuth: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
    ],
    hint: {
      confirm: 'Extended Key Usage lacks "TLS Web Client Authentication"',
      next: 'openssl x509 -in cert-chain.pem -noout -ext extendedKeyUsage,keyUsage',
      fix: 'Re-issue with EKU serverAuth + clientAuth (mesh certificates are used both ways).',
    },
    messages: {
      missing: '{whose} leaf {cert} is used as a TLS client{why}, but its extended key usage is {eku}, without clientAuth: the server rejects the client certificate with alert 43 unsupported_certificate (OpenSSL: "unsupported certificate purpose"; Envoy: fail_verify_error on the server side).',
    },
    remediation: [
      'Re-issue the certificate with extendedKeyUsage = serverAuth, clientAuth (cert-manager: spec.usages: [server auth, client auth, digital signature, key encipherment])',
    ],
    verify: '{x509} -noout -ext extendedKeyUsage',
  },
  check(ctx) {
    checkLeafEku(ctx, 'client', 'clientAuth');
  },
});
