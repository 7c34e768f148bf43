/**
 * RFC 5280 §6.1: a path is valid only while every certificate on it is. A certificate whose notAfter is later
 * than an issuer's above it dies with that issuer, earlier than its own date says — a trap for monitoring
 * that reads only the leaf.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, fileOf, iso, validityEvidence } from '../_kit/index.js';
import type { CertFact } from '../../src/x509/types.js';

const chainArgs = (leaf: CertFact) => {
  const f = fileOf(leaf);
  return { fetch: f.fetch, chain: f.file };
};

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
    explains: [
      { symptom: 'verify:expired-ca', weight: 0.45, why: 'Leaves issued to outlive their issuer were never renewed before the issuer expired (istio#18990, linkerd2#3880).' },
      { symptom: 'verify:expired-upper', weight: 0.35, why: 'Certificates below it were issued to outlive it.' },
      { symptom: 'verify:expired', weight: 0.35, why: 'Leaves that outlive their issuer are not renewed before the issuer expires.' },
      { symptom: 'alert:45', weight: 0.35, why: 'Leaves outliving their issuer are not renewed before the issuer expires.' },
    ],
    hint: {
      confirm: 'a leaf\'s Not After is later than its issuing CA\'s Not After',
      next: 'istioctl proxy-config secret {pod} -n NS -o json | jq -r \'.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes\' | base64 -d > cert-chain.pem && mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem --ca ca-cert.pem',
      fix: 'Cap the workload certificate TTL below the issuer\'s remaining life; renew the issuer early.',
    },
    messages: {
      outlives:
        '{cert} is valid until {notAfter}, but {issuer} above it expires at {issuerNotAfter}, {gap} earlier. The chain stops verifying then, whatever the certificate\'s own date says.',
    },
    remediation: [
      'Renew the issuing CA before {issuerNotAfter}, or cap issued lifetimes at the CA\'s remaining validity (Istio caps workload TTL at the CA\'s; external signers may not)',
    ],
    verify: "{fetch}openssl crl2pkcs7 -nocrl -certfile {chain} | openssl pkcs7 -print_certs -text -noout | grep -E 'Subject:|Not After'",
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
          data: { cert: describe(cert), notAfter: iso(cert.notAfter), issuer: describe(issuer), issuerNotAfter: iso(issuer.notAfter), gap: duration(cert.notAfter - issuer.notAfter), ...chainArgs(chain.leaf) },
          evidence: [validityEvidence(cert, ctx.now), validityEvidence(issuer, ctx.now)],
        });
        break;
      }
    }
  },
});
