/**
 * Two limits. With --max-depth N, the one the user says the verifier has. Without it, the one each verifier profile
 * has by default (src/x509/verifiers.ts CHAIN_LIMITS: Envoy/BoringSSL and OpenSSL 100 intermediates, rustls-webpki
 * 6, Go 100 signature checks): a chain beyond them is rejected as "too long" (or out of budget) before its trust is
 * even known, so the finding says which verifier rejects it and why; an error under the profile in use, a warning
 * when only another mesh verifier rejects it.
 *
 * OpenSSL -verify_depth / SSL_CTX_set_verify_depth: "Limit the certificate chain to num intermediate CA
 * certificates"; neither the leaf nor the trust anchor counts. Envoy's CertificateValidationContext
 * .max_verify_depth is documented to count the trust anchor too, so max_verify_depth N allows N-1
 * intermediates. RFC 5280 (like pathLenConstraint) does not count self-issued intermediates; OpenSSL and
 * BoringSSL count every certificate.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import type { ChainFact } from '../../src/x509/chain.js';
import { CHAIN_LIMITS, chainLimitExceeded, VERIFIER_IDS, VERIFIERS, type VerifierId } from '../../src/x509/verifiers.js';
import { verifyArgs, whose } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/max-depth-exceeded',
    stage: 'chain',
    severity: 'critical',
    title: 'Chain is deeper than the verifier allows',
    description:
      'More intermediate CAs sit between the leaf and the trust anchor than the verifier\'s depth limit (--max-depth, Envoy max_verify_depth), or than a verifier profile follows by default (BoringSSL/OpenSSL 100, rustls-webpki 6, Go 100 signature checks).',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'OpenSSL X509_VERIFY_PARAM_set_depth(3); Envoy max_verify_depth; rustls-webpki MAX_SUB_CA_COUNT; Go x509 maxChainSignatureChecks',
    explains: [
      { symptom: 'verify:chain-too-long', weight: 0.9, why: 'The verifier\'s depth limit (Envoy max_verify_depth, OpenSSL -verify_depth) is below the chain length.' },
    ],
    hint: {
      confirm: 'the number of CA certificates above the leaf exceeds the verifier\'s max_verify_depth',
      next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null 2>/dev/null | grep -c "BEGIN CERTIFICATE"',
      fix: 'Shorten the chain, or raise the limit where the verifier has a setting for it (Envoy max_verify_depth; ztunnel and Go have none).',
    },
    messages: {
      exceeded:
        'The chain has {count} intermediate CA(s) between the leaf and the trust anchor ({names}), but the verifier accepts at most {max} (--max-depth {max}, Envoy max_verify_depth {envoy}). It rejects the chain with "certificate chain too long" (X509_V_ERR_CERT_CHAIN_TOO_LONG) before looking at anything else.',
      profile:
        '{whose} chain has {over} between the leaf and its top ({top}); {label} accepts {limit} and rejects it with "{error}" before looking at anything else. {others}.',
      otherProfile:
        '{whose} chain has {over} between the leaf and its top ({top}): {label} (in use) accepts it, but {rejecters}. {others}.',
      selfIssued:
        'The chain has {all} intermediate CA certificates ({names}); {selfIssued} of them self-issued (a CA re-keyed under the same name). RFC 5280 does not count self-issued certificates, and by that count the chain fits --max-depth {max}; OpenSSL and BoringSSL (Envoy) count every certificate and reject it with "certificate chain too long".',
    },
    remediation: [
      'Raise the verifier\'s limit, where it has a setting: {raise}',
      'Or shorten the chain: issue the workload CA closer to the root, or drop a self-issued re-key certificate from the chain',
    ],
    verify: '{fetch}openssl verify -verify_depth {max} -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    const max = ctx.facts.maxChainDepth;
    if (max === null) {
      for (const chain of ctx.facts.chains) byProfile(ctx, chain);
      return;
    }
    for (const chain of ctx.facts.chains) {
      const p = chain.path;
      // The top of the path is the trust anchor (or root) unless the path stopped at a missing issuer.
      const inter = p.slice(1, chain.end === 'missing-issuer' ? p.length : p.length - 1);
      const logical = inter.filter((c) => !c.selfIssued);
      if (inter.length <= max) continue;
      const exceeded = logical.length > max;
      ctx.report({
        messageId: exceeded ? 'exceeded' : 'selfIssued',
        severity: exceeded ? 'critical' : 'warning',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        data: {
          count: logical.length,
          all: inter.length,
          selfIssued: inter.length - logical.length,
          names: inter.map((c) => `"${c.name}"${c.selfIssued ? ' (self-issued)' : ''}`).join(', '),
          max,
          envoy: max + 1,
          needed_envoy: (exceeded ? logical.length : inter.length) + 1,
          raise: raiseEnvoy((exceeded ? logical.length : inter.length) + 1),
          ...verifyArgs(chain.leaf, chain.verifier ? ctx.facts.bundles[chain.verifier.bundle] : undefined),
        },
        evidence: [
          { source: 'verifier depth limit', detail: `--max-depth ${max}: at most ${max} intermediate CA(s)` },
          ...inter.map((c) => ({ source: c.source, detail: `intermediate CA "${c.subject}"${c.selfIssued ? ', self-issued' : ''}` })),
        ],
      });
    }
  },
});

/** Mesh verifiers (strict is an audit reading, not a peer in the mesh). */
const MESH: readonly VerifierId[] = ['envoy', 'ztunnel', 'go'];

/** Judges a chain's length against every profile's own limits (no --max-depth given). */
function byProfile(ctx: Parameters<Parameters<typeof defineRule>[0]['check']>[0], chain: ChainFact): void {
  const p = chain.path;
  // A cut path goes on above its top: every certificate after the leaf is an intermediate, and there are more.
  const anchored = !chain.depthLimited && chain.end !== 'missing-issuer';
  const intermediates = anchored ? p.length - 2 : p.length - 1;
  const links = p.length - 1;
  const verdicts = VERIFIER_IDS.map((id) => ({ id, over: chainLimitExceeded(id, intermediates, links, chain.depthLimited || chain.end === 'missing-issuer') }));
  const profile = ctx.facts.verifier;
  const mine = verdicts.find((v) => v.id === profile)!;
  const rejecters = verdicts.filter((v) => v.over && v.id !== profile && MESH.includes(v.id));
  if (!mine.over && rejecters.length === 0) return;
  const label = (id: VerifierId) => VERIFIERS[id].label;
  const accepting = verdicts.filter((v) => !v.over).map((v) => label(v.id));
  const others = [
    // Under the profile that rejects it: who else does. Otherwise the rejecters are the message itself.
    ...(mine.over ? verdicts.filter((v) => v.over && v.id !== profile).map((v) => `${label(v.id)} rejects it too (${v.over!.limit})`) : []),
    ...(accepting.length ? [`${accepting.join(', ')} ${accepting.length === 1 ? 'accepts' : 'accept'} its length`] : []),
  ];
  const top = p[p.length - 1]!;
  ctx.report({
    messageId: mine.over ? 'profile' : 'otherProfile',
    severity: mine.over ? 'critical' : 'warning',
    subject: chain.subject,
    about: chain.leaf.fingerprint,
    data: {
      whose: whose(chain),
      over: (mine.over ?? rejecters[0]!.over)!.over,
      top: `"${top.name}"${chain.depthLimited ? ', where mtls-doctor stopped following it' : ''}`,
      label: label(profile),
      limit: mine.over?.limit ?? '',
      error: CHAIN_LIMITS[profile].error,
      rejecters: rejecters.map((v) => `${label(v.id)} rejects it (${v.over!.limit}: "${CHAIN_LIMITS[v.id].error}")`).join('; '),
      others: others.length ? others.join('; ') : 'No other verifier profile differs',
      count: intermediates,
      max: CHAIN_LIMITS[profile].maxIntermediates ?? intermediates,
      envoy: (CHAIN_LIMITS.envoy.maxIntermediates ?? 0) + 1,
      needed_envoy: intermediates + 1,
      ...remedies(mine.over ? [profile] : rejecters.map((v) => v.id), intermediates + 1),
      ...verifyArgs(chain.leaf, chain.verifier ? ctx.facts.bundles[chain.verifier.bundle] : undefined),
    },
    evidence: [
      { source: 'chain path', detail: `${p.length} certificates followed from the leaf${chain.depthLimited ? ' (cut: the top has an issuer to go on with)' : ''}: ${intermediates} intermediate CA(s), ${links} signature link(s)` },
      ...verdicts.map((v) => ({ source: `${label(v.id)} limits`, detail: `${v.over ? `rejects: ${v.over.over}, ${v.over.limit}` : 'accepts the length'}; ${CHAIN_LIMITS[v.id].source}` })),
    ],
  });
}

const raiseEnvoy = (needed: number) =>
  `Envoy CertificateValidationContext.max_verify_depth counts the trust anchor too, so set it to at least ${needed}`;

/**
 * What can be raised depends on who rejects the chain: Envoy (and OpenSSL, -verify_depth) have a setting;
 * rustls-webpki's 6 intermediates (ztunnel) and Go's 100 signature checks are constants, so there only a shorter
 * chain helps, and telling the user to raise max_verify_depth would send them to the wrong knob.
 */
function remedies(rejecters: readonly VerifierId[], neededEnvoy: number): { raise: string } {
  const fixed = rejecters.filter((id) => id === 'ztunnel' || id === 'go').map((id) => VERIFIERS[id].label);
  if (fixed.length === 0) return { raise: raiseEnvoy(neededEnvoy) };
  return { raise: `${fixed.join(' and ')} ${fixed.length === 1 ? 'has' : 'have'} none (the limit is a constant in the code), so raising Envoy max_verify_depth does not help` };
}
