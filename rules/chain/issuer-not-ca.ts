/**
 * RFC 5280 §4.2.1.9: "If the cA boolean is not asserted, then the keyCertSign bit in the key usage extension
 * MUST NOT be asserted" and §6.1.4 (k): every intermediate must be a CA (basicConstraints cA=TRUE).
 * OpenSSL: "invalid CA certificate" (X509_V_ERR_INVALID_CA).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/issuer-not-ca',
    stage: 'chain',
    severity: 'critical',
    title: 'Issuer is not a CA',
    description: 'A certificate used as an issuer on the chain lacks basicConstraints cA=TRUE.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §6.1.4 (k)',
    explains: [
      { symptom: 'verify:invalid-ca', weight: 0.9, why: 'The issuer lacks basicConstraints CA:TRUE: an end-entity certificate was plugged in as the CA (istio#16337).' },
      { symptom: 'verify:no-cert-sign', weight: 0.45, why: 'Often the same certificate is not a CA at all.' },
      { symptom: 'verify:bad-encoding', weight: 0.25, why: 'Version 1 CA certificates (no extensions) are refused as UnsupportedCertVersion.' },
      { symptom: 'alert:48', weight: 0.3, why: 'Envoy also sends unknown_ca for an invalid CA certificate in the chain.' },
    ],
    hint: {
      confirm: 'the issuer certificate has basicConstraints CA:FALSE (or none)',
      next: 'openssl x509 -in ca-cert.pem -noout -ext basicConstraints,keyUsage',
      fix: 'Use a real CA certificate (CA:TRUE, keyCertSign) as the issuer (cacerts ca-cert.pem).',
    },
    messages: {
      notCa: '{issuer} signs {child}, but it is not a CA certificate ({why}). Verifiers reject the chain with "invalid CA certificate". This happens when a leaf or a serving certificate is used by mistake as the issuer (e.g. a cert-manager Certificate without isCA: true used as an Istio CA).',
    },
    remediation: [
      'Issue the CA certificate with basicConstraints critical,CA:TRUE (cert-manager: spec.isCA: true; openssl: -addext "basicConstraints=critical,CA:TRUE")',
      'Re-issue the certificates under it once the CA is fixed',
    ],
    verify: '{x509} -noout -ext basicConstraints',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (let i = 1; i < chain.path.length; i++) {
        const issuer = chain.path[i]!;
        const bc = issuer.basicConstraints;
        if (bc?.ca) continue;
        // A version 1 self-signed trust anchor has no extensions at all; verifiers accept it as a root.
        if (issuer.version === 1 && issuer.selfIssued) continue;
        // Nor a root at the top without basicConstraints whose keyUsage asserts keyCertSign: OpenSSL accepts it as the
        // trust anchor (X509_check_ca returns 4), and BoringSSL (Envoy) and Go do not check an anchor's CA flag at all.
        if (!bc && i === chain.path.length - 1 && issuer.selfIssued && issuer.keyUsage?.includes('keyCertSign')) continue;
        ctx.report({
          messageId: 'notCa',
          subject: chain.subject,
          about: issuer.fingerprint,
          data: { issuer: describe(issuer), child: describe(chain.path[i - 1]!), why: bc ? 'basicConstraints cA=FALSE' : 'no basicConstraints extension', x509: x509Of(issuer) },
          evidence: [{ source: issuer.source, detail: `basicConstraints: ${bc ? `cA=${bc.ca}` : 'absent'}` }],
        });
      }
    }
  },
});
