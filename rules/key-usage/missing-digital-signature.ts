/**
 * RFC 8446 §4.4.3 and RFC 5280 §4.2.1.3: the TLS 1.3 CertificateVerify (and every ECDHE handshake) is a
 * digital signature, so a leaf whose keyUsage extension is present must assert digitalSignature.
 * OpenSSL/BoringSSL: KEY_USAGE_BIT_INCORRECT; Envoy counts was_key_usage_invalid.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of, whose } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'key-usage/missing-digital-signature',
    stage: 'key-usage',
    severity: 'critical',
    title: 'Key usage lacks digitalSignature',
    description: 'The leaf has a keyUsage extension without digitalSignature, which TLS 1.3 and ECDHE need.',
    requires: ['chain'],
    confidence: 0.85,
    citation: 'RFC 8446 §4.4.3; RFC 5280 §4.2.1.3',
    explains: [
      { symptom: 'verify:invalid-purpose', weight: 0.3, why: 'A keyUsage without digitalSignature also fails the purpose check on some stacks.' },
      { symptom: 'alert:43', weight: 0.35, why: 'Our keyUsage lacks digitalSignature.' },
    ],
    hint: {
      confirm: 'Key Usage lacks "Digital Signature"',
      next: 'openssl x509 -in cert-chain.pem -noout -ext keyUsage',
      fix: 'Re-issue with keyUsage digitalSignature (+ keyEncipherment for RSA).',
    },
    messages: {
      missing: '{whose} leaf {cert} has keyUsage {ku} without digitalSignature. TLS 1.3 and every ECDHE handshake sign with the leaf key, so peers reject it (BoringSSL KEY_USAGE_BIT_INCORRECT, Envoy was_key_usage_invalid){rsaNote}.',
    },
    remediation: ['Re-issue the certificate with keyUsage = critical, digitalSignature, keyEncipherment'],
    verify: '{x509} -noout -ext keyUsage',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const ku = chain.leaf.keyUsage;
      if (ku === null || ku.includes('digitalSignature')) continue;
      const rsa = chain.leaf.publicKey.type === 'rsa';
      ctx.report({
        messageId: 'missing',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        severity: rsa ? 'error' : 'critical',
        data: {
          whose: whose(chain),
          cert: describe(chain.leaf),
          ku: ku.join(', ') || 'empty',
          rsaNote: rsa ? '; only TLS 1.2 with RSA key exchange could still work' : '', x509: x509Of(chain.leaf),
        },
        evidence: [{ source: chain.leaf.source, detail: `keyUsage: ${ku.join(', ') || 'empty'}` }],
      });
    }
  },
});
