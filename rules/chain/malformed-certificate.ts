/**
 * RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension", and every
 * extension must decode as its ASN.1 definition; §4.1.1.2: signatureAlgorithm MUST equal the signed
 * tbsCertificate.signature; §4.2.1.6: subjectAltName, when present, holds at least one well-formed name. A
 * certificate that breaks these fails to parse or to verify in OpenSSL/BoringSSL/Go ("unable to decode",
 * "x509: malformed …").
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/malformed-certificate',
    stage: 'chain',
    severity: 'error',
    title: 'Malformed certificate encoding',
    description: 'A certificate on the chain has an extension, name or key that does not decode as X.509 requires.',
    requires: ['chain'],
    confidence: 0.85,
    citation: 'RFC 5280 §4.1, §4.2',
    explains: [
      { symptom: 'verify:bad-encoding', weight: 0.85, why: 'An extension, name or key does not decode as X.509 requires (duplicate extensions, an empty or malformed subjectAltName).' },
    ],
    hint: {
      confirm: 'openssl asn1parse / x509 -text shows a duplicate or undecodable extension, or an empty subjectAltName',
      next: 'openssl x509 -in cert-chain.pem -noout -text',
      fix: 'Re-issue the certificate with a well-formed profile (one instance of each extension, a non-empty SAN).',
    },
    messages: {
      malformed: '{cert} is malformed: {problems}. Verifiers fail to parse or to trust it (OpenSSL/BoringSSL decode errors, Go "x509: malformed …"), usually because a hand-rolled CA or a buggy template encoded it.',
    },
    remediation: ['Re-issue {cert_short} with a standard tool (cert-manager, step-ca, openssl x509 -req with a clean extensions file) and check it with openssl x509 -noout -text'],
    verify: '{x509} -noout -text',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (const cert of chain.path) {
        // Name-constraint defects have their own rule (chain/invalid-name-constraints).
        const defects = cert.defects.filter((d) => d.code !== 'malformed-name-constraints');
        if (defects.length === 0) continue;
        const problems = defects.map((d) => d.detail).join('; ');
        ctx.report({
          messageId: 'malformed',
          subject: chain.subject,
          about: cert.fingerprint,
          data: { cert: describe(cert), cert_short: `"${cert.name}"`, problems, x509: x509Of(cert) },
          evidence: defects.map((d) => ({ source: cert.source, detail: `${d.code} (${d.where}): ${d.detail}` })),
        });
      }
    }
  },
});
