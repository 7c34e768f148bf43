/**
 * RFC 8446 §4.4.2: the sender's certificate_list should contain the certificates needed to reach a trust
 * anchor the peer holds. A chain that skips an intermediate the peer does not hold cannot be built on the
 * peer's side ("unable to get local issuer certificate").
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, whose, fileOf, shellQuote } from '../../src/engine/rule-helpers.js';

export default defineRule({
  meta: {
    id: 'chain/incomplete-chain',
    stage: 'chain',
    severity: 'critical',
    title: 'Chain is missing an intermediate',
    description: 'The presented chain skips an intermediate CA that the evidence knows and that links it to a trusted root.',
    requires: ['chain', 'verifier-trust'],
    confidence: 0.9,
    citation: 'RFC 8446 §4.4.2',
    messages: {
      missing:
        '{whose} chain presents {presented} but not the intermediate {missing}, which is needed to reach the trusted root {anchor}. The intermediate is known only from {from}; the verifying side cannot build the path and fails with "unable to get local issuer certificate" (alert 48 unknown_ca). In Istio with a plug-in CA this means cert-chain.pem in the cacerts Secret lacks the intermediate.',
      peerMissing:
        'The peer\'s chain presents {presented} but not the intermediate {missing}, which is needed to reach the trusted root {anchor}. We know that intermediate only from our own {from}; we verify the peer, so we fail with "unable to get local issuer certificate" (OpenSSL verify error 20; Envoy: CERTIFICATE_VERIFY_FAILED). The peer serves it: fix the peer\'s cert-chain (its workload\'s chain, or its CA\'s cert-chain.pem), not our trust bundle.',
    },
    remediation: [
      'Serve the full chain: leaf, then every intermediate up to (optionally including) the root. Plug-in CA: cert-chain.pem must hold ca-cert.pem followed by every intermediate above it',
      'Restart istiod after fixing the cacerts Secret, then restart workloads so leaves are re-issued with the full chain',
    ],
    verify: '{verify}',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      if (!chain.verifier?.anchored) continue;
      const missing = chain.fromOutside.filter((c) => !c.selfIssued);
      if (missing.length === 0) continue;
      const peer = chain.subject === 'peer' ? ctx.facts.probe?.peer : undefined;
      const trustFile = ctx.facts.bundles.trust?.source.split(', ')[0];
      ctx.report({
        messageId: peer ? 'peerMissing' : 'missing',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        data: {
          whose: whose(chain),
          presented: `${chain.presented.length} certificate${chain.presented.length === 1 ? '' : 's'}`,
          missing: missing.map(describe).join(', '),
          anchor: chain.verifier.anchor ? `"${chain.verifier.anchor.name}"` : 'root',
          from: [...new Set(missing.map((c) => c.source))].join(', '),
          file: fileOf(chain.leaf),
          // The peer's side: what it serves, and our verdict on it (error 20 while the intermediate is missing).
          verify: peer
            ? `openssl s_client -connect ${peer} -CAfile ${shellQuote(trustFile && !trustFile.startsWith('envoy ') ? trustFile : 'ROOT.pem')} -showcerts </dev/null 2>&1 | grep -E '^ *([0-9]+ )?[si]:|^Verify return code'`
            : `openssl verify -CAfile ROOT.pem -untrusted ${shellQuote(fileOf(chain.leaf))} ${shellQuote(fileOf(chain.leaf))}`,
        },
        evidence: [
          { source: chain.leaf.source, detail: `presented: ${chain.presented.map((c) => `"${c.name}"`).join(' → ')}` },
          ...missing.map((c) => ({ source: c.source, detail: `missing intermediate "${c.subject}" issues "${chain.path[chain.path.indexOf(c) - 1]?.name ?? '?'}"` })),
        ],
      });
    }
  },
});
