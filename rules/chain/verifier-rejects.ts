/**
 * Where mesh verifiers disagree. Envoy (BoringSSL), ztunnel (rustls-webpki) and Go (crypto/x509) apply RFC 5280
 * §6.1 alike at its core and differently at the edges (src/x509/verifiers.ts lists the checks, each with the place
 * in every verifier's source that decides it). A chain that one of them rejects breaks that half of a mesh while
 * the other half looks fine: the finding says who rejects it and who accepts it, and is an error only under the
 * profile (`--verifier`) that rejects it.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { crlFileArg, describe, whose, x509Of } from '../_kit/index.js';

/** `openssl crl -in FILE` for a CRL (fetched first when it is not a file). */
const crlCommand = (crl: { source: string; origin?: Source }): string => {
  const f = crlFileArg(crl);
  return `${f.fetch}openssl crl -in ${f.file}`;
};
import { acceptedBy, CHECKS, gradeFor, labels, VERIFIERS } from '../../src/x509/verifiers.js';
import type { Source } from '../../src/model/source.js';

export default defineRule({
  meta: {
    id: 'chain/verifier-rejects',
    stage: 'chain',
    severity: 'error',
    title: 'Rejected by some verifiers, accepted by others',
    description:
      'A certificate on the chain has a property that only some verifiers reject (Envoy/BoringSSL, ztunnel/rustls-webpki, Go, strict RFC 5280): an error under the profile that rejects it (--verifier), a warning naming the verifier otherwise.',
    requires: ['chain'],
    confidence: 0.85,
    citation: 'RFC 5280 §4, CA/B Forum BR §7.1; BoringSSL crypto/x509, rustls-webpki src/verify_cert.rs, Go crypto/x509 (per check in src/x509/verifiers.ts)',
    messages: {
      rejected: '{whose} {cert} {detail}. {in_use} rejects this chain ({in_use_source}); {others}. {spec}.',
      acceptedHere: '{whose} {cert} {detail}. {in_use} accepts it ({in_use_source}){also_accept}, but {rejecters} reject it ({reject_source}). {spec}.',
      advisory: '{whose} {cert} {detail}. Every verifier accepts it ({in_use}: {in_use_source}); it breaks an issuance rule only. {spec}.',
    },
    remediation: ['Re-issue {cert_short} so that every verifier in the mesh accepts it: {spec}', 'To judge the chain as another verifier does, run again with --verifier {other_profile}'],
    verify: '{x509} -noout -text',
  },
  check(ctx) {
    const profile = ctx.facts.verifier;
    const inUse = VERIFIERS[profile];
    for (const chain of ctx.facts.chains) {
      for (const check of CHECKS) {
        if (check.reportedBy) continue;
        // CA/B Forum issuance rules no verifier enforces: a note for the strict audit only, not mesh noise.
        if (check.rejectedBy.length === 0 && profile !== 'strict') continue;
        const grade = gradeFor(check, profile);
        for (const found of check.find(chain, ctx.facts.crls)) {
          const cert = ctx.facts.certs.get(found.about);
          const otherRejecters = check.rejectedBy.filter((id) => id !== profile);
          const accepters = acceptedBy(check);
          const firstRejecter = check.rejectedBy.find((id) => id !== 'strict') ?? 'strict';
          const data = {
            whose: whose(chain) === 'Our' ? 'Our chain:' : "The peer's chain:",
            cert: cert ? describe(cert) : `"${found.name}" (${found.source})`,
            cert_short: `"${found.name}"`,
            detail: found.detail,
            in_use: inUse.label,
            in_use_source: check.source[profile],
            rejecters: labels(check.rejectedBy),
            reject_source: `${VERIFIERS[firstRejecter].label}: ${check.source[firstRejecter]}`,
            others: [otherRejecters.length ? `${labels(otherRejecters)} also reject it` : '', accepters.length ? `${labels(accepters)} accept it` : ''].filter(Boolean).join('; '),
            spec: check.spec,
            also_accept: (() => {
              const rest = accepters.filter((id) => id !== profile);
              return rest.length ? `, as ${labels(rest)} ${rest.length > 1 ? 'do' : 'does'}` : '';
            })(),
            check: check.id,
            other_profile: grade === 'error' ? (accepters[0] ?? 'strict') : firstRejecter,
            x509: cert ? x509Of(cert) : crlCommand(found),
          };
          ctx.report({
            messageId: grade === 'error' ? 'rejected' : check.rejectedBy.length === 0 ? 'advisory' : 'acceptedHere',
            severity: grade,
            subject: chain.subject,
            about: `${found.about}:${check.id}`,
            data,
            evidence: [
              { source: found.source, detail: `${check.title}: ${found.detail}` },
              ...check.rejectedBy.map((id) => ({ source: VERIFIERS[id].label, detail: `rejects (${check.source[id]})` })),
              ...accepters.map((id) => ({ source: VERIFIERS[id].label, detail: `accepts (${check.source[id]})` })),
            ],
          });
        }
      }
    }
  },
});
