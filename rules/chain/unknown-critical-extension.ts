/**
 * RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a critical extension it
 * does not recognize or a critical extension that contains information that it cannot process." OpenSSL:
 * "unhandled critical extension" (X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION); Go: "unhandled critical extension".
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';
import { anchorOf } from '../../src/x509/chain.js';
import { checkById, gradeFor, verdictSentence } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'chain/unknown-critical-extension',
    stage: 'chain',
    severity: 'critical',
    title: 'Unknown critical extension',
    description: 'A certificate on the chain has a critical extension that verifiers do not process, so they reject it.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.2',
    explains: [
      { symptom: 'verify:critical-extension', weight: 0.95, why: 'RFC 5280 §4.2: a critical extension the verifier does not recognise makes it reject the certificate.' },
    ],
    hint: {
      confirm: 'a certificate marks an extension the verifier does not know as critical',
      next: 'openssl x509 -in cert-chain.pem -noout -text | grep -B1 -A2 critical',
      fix: 'Re-issue without that extension, or mark it non-critical.',
    },
    messages: {
      unknown: '{cert} marks the extension(s) {oids} critical, which OpenSSL, BoringSSL (Envoy) and Go do not process: they reject the certificate ("unhandled critical extension").',
      anchor: '{cert} is the trust anchor and marks the extension(s) {oids} critical. Verifiers differ on trust anchors: {verdict}',
    },
    remediation: ['Re-issue {cert_short} without the extension, or with it marked non-critical (check the CA or cert-manager template that adds it)'],
    verify: '{x509} -noout -text | grep -A1 critical',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const anchor = anchorOf(chain);
      for (const cert of chain.path) {
        if (cert.unknownCriticalExtensions.length === 0) continue;
        const oids = cert.unknownCriticalExtensions.join(', ');
        // The trust anchor's own extensions: BoringSSL and rustls-webpki never check them (src/x509/verifiers.ts).
        const check = cert === anchor ? checkById('anchor-unknown-critical-extension') : null;
        const grade = check ? gradeFor(check, ctx.facts.verifier) : null;
        ctx.report({
          messageId: check ? 'anchor' : 'unknown',
          ...(grade && grade !== 'error' ? { severity: grade } : {}),
          subject: chain.subject,
          about: cert.fingerprint,
          data: { cert: describe(cert), cert_short: `"${cert.name}"`, oids, x509: x509Of(cert), verdict: check ? verdictSentence(check, ctx.facts.verifier) : '' },
          evidence: [{ source: cert.source, detail: `critical extensions not processed: ${oids}` }],
        });
      }
    }
  },
});
