/**
 * SPIFFE X509-SVID §2: "An X.509 SVID MUST contain exactly one URI SAN" holding a SPIFFE ID, and the SPIFFE
 * ID spec §2 fixes its syntax (lowercase trust domain; no empty, "." or ".." segments; no query, port or
 * user info).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, whose, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'san/malformed-spiffe-id',
    stage: 'san',
    severity: 'error',
    title: 'Malformed SPIFFE ID',
    description: 'A spiffe:// URI SAN breaks the SPIFFE ID syntax, or the leaf has more than one SPIFFE ID.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'SPIFFE X509-SVID §2; SPIFFE-ID §2',
    explains: [
      { symptom: 'verify:san', weight: 0.35, why: 'A custom SPIFFE template produced an ID that does not match the expected form (istio#49874).' },
      { symptom: 'verify:bad-encoding', weight: 0.4, why: 'A URI SAN that OpenSSL tolerates but webpki refuses is a common trigger.' },
    ],
    hint: {
      confirm: 'the URI SAN is not spiffe://TD/ns/NS/sa/SA',
      next: 'openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
      fix: 'Fix the SPIFFE ID template (SPIRE ClusterSPIFFEID, custom CA) to produce spiffe://TD/ns/NS/sa/SA.',
    },
    messages: {
      malformed: '{whose} leaf {cert} carries the SPIFFE ID "{uri}", which is malformed: {problem}. SPIFFE-aware peers (Envoy\'s SPIFFE validator, SPIRE, Linkerd, go-spiffe) reject it, and the trust-domain match cannot work.',
      several: '{whose} leaf {cert} carries {count} SPIFFE IDs ({uris}); an X.509 SVID must carry exactly one. Peers may pick either, or reject the certificate.',
    },
    remediation: ['Re-issue the certificate with exactly one URI SAN of the form spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT (lowercase trust domain, no trailing slash)'],
    verify: '{x509} -noout -ext subjectAltName',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      const base = { whose: whose(chain), cert: describe(leaf), x509: x509Of(leaf) };
      for (const s of leaf.spiffe) {
        if (s.ok) continue;
        ctx.report({
          messageId: 'malformed',
          subject: chain.subject,
          about: `${leaf.fingerprint}:${s.uri}`,
          data: { ...base, uri: s.uri, problem: s.problem ?? 'invalid' },
          evidence: [{ source: leaf.source, detail: `URI SAN "${s.uri}": ${s.problem}` }],
        });
      }
      if (leaf.spiffe.length > 1) {
        ctx.report({
          messageId: 'several',
          subject: chain.subject,
          about: leaf.fingerprint,
          data: { ...base, count: leaf.spiffe.length, uris: leaf.spiffe.map((s) => s.uri).join(', ') },
          evidence: [{ source: leaf.source, detail: `URI SANs: ${leaf.spiffe.map((s) => s.uri).join(', ')}` }],
        });
      }
    }
  },
});
