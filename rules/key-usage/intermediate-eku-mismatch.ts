/**
 * EKU nesting: an intermediate CA that carries an extendedKeyUsage extension limits the purposes of everything
 * under it. OpenSSL (purpose check on CA certificates: "unsupported certificate purpose"), BoringSSL (Envoy) and
 * Go ("x509: certificate specifies an incompatible key usage") reject a server (client) chain whose intermediate
 * lists EKUs without serverAuth (clientAuth) or anyExtendedKeyUsage.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'key-usage/intermediate-eku-mismatch',
    stage: 'key-usage',
    severity: 'critical',
    title: 'Intermediate CA restricts the purpose (EKU)',
    description: "An intermediate CA's extended key usage does not allow the TLS purpose the chain is used for.",
    requires: ['chain'],
    confidence: 0.85,
    citation: 'RFC 5280 §4.2.1.12; CA/B Forum BR §7.1.2.2',
    explains: [
      { symptom: 'verify:invalid-purpose', weight: 0.4, why: 'An intermediate CA whose EKU list lacks the purpose restricts every leaf below it (Go, BoringSSL).' },
      { symptom: 'verify:invalid-purpose-ca', weight: 0.9, why: 'An intermediate that lists EKUs limits everything below it: without clientAuth (serverAuth) its chains fail that side.' },
    ],
    hint: {
      confirm: 'an intermediate CA lists Extended Key Usages without clientAuth/serverAuth (or anyExtendedKeyUsage)',
      next: 'openssl x509 -in ca-cert.pem -noout -ext extendedKeyUsage',
      fix: 'Re-issue the intermediate without EKU, or with both serverAuth and clientAuth.',
    },
    messages: {
      mismatch: 'Intermediate CA {ca} limits its extended key usage to {eku}, without {purpose}, so verifiers reject {whose} chain when it is used as a TLS {role} ("unsupported certificate purpose"; Go "incompatible key usage").',
    },
    remediation: ['Re-issue the intermediate with extendedKeyUsage including serverAuth and clientAuth (a mesh CA signs both), or without the extension'],
    verify: '{x509} -noout -ext extendedKeyUsage',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const purposes = chain.usage === 'both' ? ['serverAuth', 'clientAuth'] : [chain.usage === 'client' ? 'clientAuth' : 'serverAuth'];
      const anchored = chain.verifier?.anchor?.fingerprint;
      for (let i = 1; i < chain.path.length; i++) {
        const ca = chain.path[i]!;
        // The trust anchor's own EKU is trust-store metadata, not checked as a constraint by OpenSSL/BoringSSL.
        if (ca.fingerprint === anchored || (i === chain.path.length - 1 && ca.selfIssued)) continue;
        if (ca.eku === null || ca.eku.includes('any')) continue;
        for (const purpose of purposes) {
          if (ca.eku.includes(purpose)) continue;
          ctx.report({
            messageId: 'mismatch',
            subject: chain.subject,
            about: `${ca.fingerprint}:${purpose}`,
            data: { ca: describe(ca), eku: ca.eku.join(', ') || 'nothing', purpose, whose: chain.subject === 'local' ? 'our' : "the peer's", role: purpose === 'serverAuth' ? 'server' : 'client', x509: x509Of(ca) },
            evidence: [{ source: ca.source, detail: `extendedKeyUsage: ${ca.eku.join(', ')}` }],
          });
        }
      }
    }
  },
});
