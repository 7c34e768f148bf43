/**
 * OpenSSL -verify_depth / SSL_CTX_set_verify_depth: "Limit the certificate chain to num intermediate CA
 * certificates"; neither the leaf nor the trust anchor counts. Envoy's CertificateValidationContext
 * .max_verify_depth is documented to count the trust anchor too, so max_verify_depth N allows N-1
 * intermediates. RFC 5280 (like pathLenConstraint) does not count self-issued intermediates; OpenSSL and
 * BoringSSL count every certificate.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { verifyArgs } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/max-depth-exceeded',
    stage: 'chain',
    severity: 'critical',
    title: 'Chain is deeper than the verifier allows',
    description: 'More intermediate CAs sit between the leaf and the trust anchor than the verifier\'s depth limit (--max-depth, Envoy max_verify_depth).',
    requires: ['chain', 'max-depth'],
    confidence: 0.9,
    citation: 'OpenSSL verify -verify_depth; Envoy CertificateValidationContext.max_verify_depth',
    explains: [
      { symptom: 'verify:chain-too-long', weight: 0.9, why: 'The verifier\'s depth limit (Envoy max_verify_depth, OpenSSL -verify_depth) is below the chain length.' },
    ],
    hint: {
      confirm: 'the number of CA certificates above the leaf exceeds the verifier\'s max_verify_depth',
      next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null 2>/dev/null | grep -c "BEGIN CERTIFICATE"',
      fix: 'Raise max_verify_depth on the verifier, or shorten the chain.',
    },
    messages: {
      exceeded:
        'The chain has {count} intermediate CA(s) between the leaf and the trust anchor ({names}), but the verifier accepts at most {max} (--max-depth {max}, Envoy max_verify_depth {envoy}). It rejects the chain with "certificate chain too long" (X509_V_ERR_CERT_CHAIN_TOO_LONG) before looking at anything else.',
      selfIssued:
        'The chain has {all} intermediate CA certificates ({names}); {selfIssued} of them self-issued (a CA re-keyed under the same name). RFC 5280 does not count self-issued certificates, and by that count the chain fits --max-depth {max}; OpenSSL and BoringSSL (Envoy) count every certificate and reject it with "certificate chain too long".',
    },
    remediation: [
      'Raise the limit: Envoy CertificateValidationContext.max_verify_depth counts the trust anchor too, so set it to at least {needed_envoy}',
      'Or shorten the chain: issue the workload CA closer to the root, or drop a self-issued re-key certificate from the chain',
    ],
    verify: '{fetch}openssl verify -verify_depth {max} -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    const max = ctx.facts.maxChainDepth!;
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
