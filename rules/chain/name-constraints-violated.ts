/**
 * RFC 5280 §6.1.3 (b)(c): every name of a certificate (subjectAltName, subject DN and its emailAddress) must lie
 * inside the permitted subtrees and outside the excluded subtrees of every CA above it; self-issued
 * intermediates are exempt. Meshes use this to pin an intermediate to its SPIFFE trust domain (URI constraint
 * `spiffe://TD`'s host) or to DNS/IP ranges. OpenSSL: "permitted subtree violation" / "excluded subtree
 * violation"; Go: "x509: a root or intermediate certificate is not authorized to sign for this name".
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, verifyArgs } from '../_kit/index.js';
import { boringsslDnsWithin, checkById, gradeFor, verdictSentence } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'chain/name-constraints-violated',
    stage: 'chain',
    severity: 'critical',
    title: 'Name outside the CA\'s name constraints',
    description: 'A certificate carries a name that a CA above it excludes, or that lies outside the subtrees the CA permits.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §4.2.1.10, §6.1.3 (b)(c)',
    explains: [
      { symptom: 'verify:name-constraints', weight: 0.9, why: 'The leaf carries a name (SPIFFE trust domain, DNS, IP) that a CA above it does not permit.' },
    ],
    hint: {
      confirm: 'the leaf\'s SAN is outside the permitted subtrees (or inside the excluded ones) of a CA above it',
      next: 'openssl x509 -in ca-cert.pem -noout -ext nameConstraints; openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
      fix: 'Issue names inside the CA\'s constraints (the right trust domain), or re-issue the CA with the intended constraints.',
    },
    messages: {
      excluded: '{cert} carries the {form} name "{name}", which {ca} excludes (excluded subtree {constraint}). Verifiers reject the chain ("excluded subtree violation"; Go: "not authorized to sign for this name").',
      notPermitted: '{cert} carries the {form} name "{name}", but {ca} permits only {constraint} for that name form. Verifiers reject the chain ("permitted subtree violation"). In a mesh this is an intermediate constrained to another trust domain or namespace range than the workload\'s identity.',
      malformedName: '{cert} carries the {form} name "{name}", which is not a well-formed name of that form, under {ca} whose name constraints permit only {constraint}: it cannot be shown to lie inside them, so strict verifiers reject it.{verdict}',
      tooCostly: 'Checking the names of {cert} against the name constraints of {ca} takes more than the work budget (many names times many constraints). Verifiers refuse such chains too (OpenSSL "excessive name constraints"; Go limits comparisons).',
    },
    remediation: [
      'Re-issue {cert_short} with names inside {ca_short}\'s permitted subtrees, or issue it from a CA whose constraints cover its identity (for SPIFFE: a URI constraint on the trust domain, e.g. permitted URI "cluster.local")',
      'If the constraint is wrong, re-issue {ca_short} with the right nameConstraints and re-issue the certificates under it',
    ],
    verify: '{fetch}openssl verify -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (const v of chain.nameConstraintViolations) {
        const messageId = v.kind === 'excluded' ? 'excluded' : v.kind === 'not-permitted' ? 'notPermitted' : v.kind === 'malformed-name' ? 'malformedName' : 'tooCostly';
        const constraint = v.constraints.map((c) => `"${c.value}"`).join(', ') || '(none)';
        // A malformed DNS name that BoringSSL's suffix match still lets through: a verifier difference.
        const check = checkById('name-constraints-malformed-dns-name');
        const differs = v.kind === 'malformed-name' && v.name.type === 'dns' && v.constraints.some((c) => boringsslDnsWithin(v.name.value, c.value));
        const grade = differs ? gradeFor(check, ctx.facts.verifier) : null;
        ctx.report({
          messageId,
          ...(grade && grade !== 'error' ? { severity: grade } : {}),
          subject: chain.subject,
          about: `${v.cert.fingerprint}:${v.ca.fingerprint}:${v.name.type}:${v.name.value}`,
          data: {
            cert: describe(v.cert),
            cert_short: `"${v.cert.name}"`,
            ca: describe(v.ca),
            ca_short: `"${v.ca.name}"`,
            form: v.name.type === 'dn' ? 'directory' : v.name.type.toUpperCase(),
            name: v.name.value,
            constraint,
            ...verifyArgs(chain.leaf, chain.verifier ? ctx.facts.bundles[chain.verifier.bundle] : undefined),
            verdict: differs ? ` Verifiers differ: ${verdictSentence(check, ctx.facts.verifier)}` : '',
          },
          evidence: [
            { source: v.cert.source, detail: `${v.name.type}:${v.name.value}` },
            {
              source: v.ca.source,
              detail: `nameConstraints permitted [${(v.ca.nameConstraints?.permitted ?? []).map((c) => `${c.type}:${c.value}`).join(', ')}] excluded [${(v.ca.nameConstraints?.excluded ?? []).map((c) => `${c.type}:${c.value}`).join(', ')}]`,
            },
          ],
        });
        // One finding per name; a costly check stops at the first.
        if (v.kind === 'too-costly') break;
      }
    }
  },
});
