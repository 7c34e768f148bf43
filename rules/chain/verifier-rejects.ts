/**
 * Where mesh verifiers disagree. Envoy (BoringSSL), ztunnel (rustls-webpki) and Go (crypto/x509) apply RFC 5280
 * §6.1 alike at its core and differently at the edges (rules/_kit/verifier-checks.ts lists the checks, each with
 * the place in every verifier's source that decides it). A chain that one of them rejects breaks that half of a
 * mesh while the other half looks fine: the finding says who rejects it and who accepts it, and is an error only
 * under the profile (`--verifier`) that rejects it.
 *
 * One finding per chain: every objection to every certificate of the chain listed once, each verifier's verdict
 * said once, each citation given once (DESIGN.md: many findings of one kind about one certificate are one
 * finding; a report at 3 AM leads with the cause, not with noise).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import type { CertFact } from '../../src/x509/types.js';
import type { Source } from '../../src/model/source.js';
import { crlFileArg, describe, whose, x509Of } from '../_kit/index.js';
import { acceptedBy, verdictsOf, verifierNotes, type VerifierNote } from '../_kit/verifier-checks.js';

/** `openssl crl -in FILE` for a CRL (fetched first when it is not a file). */
const crlCommand = (crl: { source: string; origin?: Source }): string => {
  const f = crlFileArg(crl);
  return `${f.fetch}openssl crl -in ${f.file}`;
};

/** "a, b and c" */
const sentenceList = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export default defineRule({
  meta: {
    id: 'chain/verifier-rejects',
    stage: 'chain',
    severity: 'error',
    title: 'Rejected by some verifiers, accepted by others',
    description:
      'Certificates on the chain have properties that only some verifiers reject (Envoy/BoringSSL, ztunnel/rustls-webpki, Go, strict RFC 5280), listed in one finding per chain: an error under the profile that rejects one of them (--verifier), a warning naming another mesh verifier that does, a note when only strict verifiers do.',
    requires: ['chain'],
    confidence: 0.85,
    citation: 'RFC 5280 §4, CA/B Forum BR §7.1; BoringSSL crypto/x509, rustls-webpki src/verify_cert.rs, Go crypto/x509 (per check in rules/_kit/verifier-checks.ts)',
    messages: {
      rejected: '{whose} chain breaks {count} that some verifiers enforce and others do not: {items}. {in_use}; {others}.',
      acceptedHere: '{whose} chain breaks {count} that only some verifiers enforce: {items}. {in_use}, but {others}.',
      advisory: '{whose} chain breaks {count} that no verifier enforces (issuance rules only): {items}. Every verifier accepts {them}: {in_use}; {others}.',
    },
    remediation: ['Re-issue {certs} so that every verifier in the mesh accepts {it_them}: {specs}', 'To judge the chain as another verifier does, run again with --verifier {other_profile}'],
    verify: '{x509} -noout -text',
  },
  check(ctx) {
    const profile = ctx.facts.verifier;
    for (const chain of ctx.facts.chains) {
      const notes = verifierNotes(chain, ctx.facts.crls, profile);
      if (notes.length === 0) continue;
      const grade = notes[0]!.grade;
      // Each certificate (or CRL) once, with everything some verifier objects to in it.
      const byThing = new Map<string, VerifierNote[]>();
      for (const n of notes) byThing.set(n.found.about, [...(byThing.get(n.found.about) ?? []), n]);
      const things = [...byThing.values()].map((ns) => {
        const found = ns[0]!.found;
        const cert: CertFact | undefined = ctx.facts.certs.get(found.about);
        return { notes: ns, found, cert, name: cert ? describe(cert) : `"${found.name}" (${found.source})`, command: cert ? x509Of(cert) : crlCommand(found) };
      });
      const checks = [...new Set(notes.map((n) => n.check))];
      const v = verdictsOf(notes, profile);
      const rejecters = [...new Set(checks.flatMap((c) => c.rejectedBy))];
      const accepters = [...new Set(checks.flatMap((c) => acceptedBy(c)))];
      ctx.report({
        messageId: grade === 'error' ? 'rejected' : checks.every((c) => c.rejectedBy.length === 0) ? 'advisory' : 'acceptedHere',
        severity: grade,
        subject: chain.subject,
        about: `${chain.leaf.fingerprint}:verifiers`,
        data: {
          whose: whose(chain),
          count: notes.length === 1 ? 'a rule' : `${notes.length} rules`,
          items: things.map((t) => `${t.name} ${sentenceList(t.notes.map((n) => n.found.detail))}`).join('; '),
          in_use: v.inUse,
          others: v.others,
          certs: sentenceList(things.map((t) => `"${t.found.name}"`)),
          it_them: things.length === 1 ? 'it' : 'them',
          them: checks.length === 1 ? 'it' : 'them',
          specs: checks.map((c) => c.spec).join('; '),
          other_profile: (grade === 'error' ? accepters.find((id) => id !== profile) : rejecters.find((id) => id !== 'strict' && id !== profile)) ?? (profile === 'strict' ? 'envoy' : 'strict'),
          x509: things.map((t) => t.command).join(' -noout -text && '),
        },
        evidence: [...things.map((t) => ({ source: t.found.source, detail: t.notes.map((n) => n.check.title).join('; ') })), ...v.evidence],
      });
    }
  },
});
