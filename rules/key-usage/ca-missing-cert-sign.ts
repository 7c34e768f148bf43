/**
 * RFC 5280 §4.2.1.3: "The keyCertSign bit is asserted when the subject public key is used for verifying
 * signatures on public key certificates." A CA whose keyUsage omits it cannot issue: OpenSSL "key usage does
 * not include certificate signing".
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';
import { anchorOf } from '../../src/x509/chain.js';
import { checkById, gradeFor, verdictSentence } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'key-usage/ca-missing-cert-sign',
    stage: 'key-usage',
    severity: 'critical',
    title: 'CA key usage lacks keyCertSign',
    description: 'A CA certificate on the chain has a keyUsage extension without keyCertSign.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.2.1.3',
    explains: [
      { symptom: 'verify:invalid-ca', weight: 0.6, why: 'Or its keyUsage lacks keyCertSign.' },
      { symptom: 'verify:no-cert-sign', weight: 0.9, why: 'The CA certificate\'s keyUsage lacks keyCertSign.' },
      { symptom: 'verify:invalid-purpose-ca', weight: 0.3, why: 'Or the CA\'s keyUsage is wrong as well.' },
    ],
    hint: {
      confirm: 'the CA certificate\'s Key Usage lacks "Certificate Sign"',
      next: 'openssl x509 -in ca-cert.pem -noout -ext keyUsage,basicConstraints',
      fix: 'Re-issue the CA with keyUsage keyCertSign, cRLSign.',
    },
    messages: {
      missing: '{ca} issues {child}, but its keyUsage ({ku}) does not include keyCertSign. Verifiers reject the chain ("key usage does not include certificate signing", X509_V_ERR_KEYUSAGE_NO_CERTSIGN).',
      anchor: '{ca} is the trust anchor that issues {child}, and its keyUsage ({ku}) does not include keyCertSign. Verifiers differ on trust anchors: {verdict}',
    },
    remediation: ['Re-issue the CA certificate with keyUsage = critical, keyCertSign, cRLSign (and digitalSignature if it also signs OCSP)'],
    verify: '{x509} -noout -ext keyUsage',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (let i = 1; i < chain.path.length; i++) {
        const ca = chain.path[i]!;
        if (ca.keyUsage === null || ca.keyUsage.includes('keyCertSign')) continue;
        // The trust anchor's keyUsage: only strict verifiers check it (src/x509/verifiers.ts).
        const check = ca === anchorOf(chain) ? checkById('anchor-key-usage') : null;
        const grade = check ? gradeFor(check, ctx.facts.verifier) : null;
        ctx.report({
          messageId: check ? 'anchor' : 'missing',
          ...(grade && grade !== 'error' ? { severity: grade } : {}),
          subject: chain.subject,
          about: ca.fingerprint,
          data: { ca: describe(ca), child: describe(chain.path[i - 1]!), ku: ca.keyUsage.join(', ') || 'empty', x509: x509Of(ca), verdict: check ? verdictSentence(check, ctx.facts.verifier) : '' },
          evidence: [{ source: ca.source, detail: `keyUsage: ${ca.keyUsage.join(', ') || 'empty'}` }],
        });
      }
    }
  },
});
