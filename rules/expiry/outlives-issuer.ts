/**
 * RFC 5280 §6.1: a path is valid only while every certificate on it is. A certificate whose notAfter is later
 * than an issuer's above it dies with that issuer, earlier than its own date says — a trap for monitoring
 * that reads only the leaf.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence } from '../../src/engine/rule-helpers.js';

export default defineRule({
  meta: {
    id: 'expiry/outlives-issuer',
    stage: 'expiry',
    severity: 'warning',
    title: 'Certificate outlives its issuer',
    description: 'A certificate on the chain is valid beyond the notAfter of a CA above it.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §6.1',
    messages: {
      outlives:
        '{cert} is valid until {notAfter}, but {issuer} above it expires at {issuerNotAfter}, {gap} earlier. The chain stops verifying then, whatever the certificate\'s own date says.',
    },
    remediation: [
      'Renew the issuing CA before {issuerNotAfter}, or cap issued lifetimes at the CA\'s remaining validity (Istio caps workload TTL at the CA\'s; external signers may not)',
    ],
    verify: 'openssl crl2pkcs7 -nocrl -certfile CHAIN.pem | openssl pkcs7 -print_certs -noout; openssl x509 -noout -enddate -in EACH',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const p = chain.path;
      for (let i = 0; i < p.length; i++) {
        const cert = p[i]!;
        // The earliest-expiring issuer above it that has not already expired (expired ones are expiry/*-expired).
        const above = p.slice(i + 1).filter((c) => c.notAfter < cert.notAfter && c.notAfter >= ctx.now);
        if (above.length === 0) continue;
        const issuer = above.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
        ctx.report({
          messageId: 'outlives',
          subject: chain.subject,
          about: cert.fingerprint,
          data: { cert: describe(cert), notAfter: iso(cert.notAfter), issuer: describe(issuer), issuerNotAfter: iso(issuer.notAfter), gap: duration(cert.notAfter - issuer.notAfter) },
          evidence: [validityEvidence(cert, ctx.now), validityEvidence(issuer, ctx.now)],
        });
        break;
      }
    }
  },
});
