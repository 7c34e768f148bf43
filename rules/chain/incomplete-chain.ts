/**
 * RFC 8446 §4.4.2: the sender's certificate_list should contain the certificates needed to reach a trust
 * anchor the peer holds. A chain that skips an intermediate the peer does not hold cannot be built on the
 * peer's side ("unable to get local issuer certificate").
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, verifyArgs, whose } from '../_kit/index.js';

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
    explains: [
      { symptom: 'verify:unknown-issuer', weight: 0.55, why: 'The presented chain lacks the intermediate that links the leaf to the trusted root.' },
      { symptom: 'verify:incomplete-chain', weight: 0.85, why: '"Unable to verify the first certificate": the presented chain is the leaf alone, without its intermediate.' },
      { symptom: 'verify:self-signed-in-chain', weight: 0.3, why: 'An intermediate was published as the trust anchor and the real root is missing (istio-csr#155).' },
      { symptom: 'verify:self-signed-leaf', weight: 0.25, why: 'Or a CA certificate was served in place of the workload chain.' },
      { symptom: 'verify:failed', weight: 0.5, why: 'The peer presents its leaf without the intermediate.', context: 'off-mesh' },
      { symptom: 'verify:failed-client', weight: 0.3, why: 'The client sent its leaf without the intermediate.' },
      { symptom: 'alert:48', weight: 0.5, why: 'We present our leaf without the intermediate that links it to the peer\'s root.' },
      { symptom: 'envoy:fail_verify_error', weight: 0.4, why: 'A chain without its intermediate cannot be verified up to the trusted root.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.5, why: 'Without the intermediate Go cannot build the path: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.5, why: 'Without the intermediate webpki cannot build the path: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.5, why: 'Without the intermediate GnuTLS cannot build the path: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the served chain has only the leaf (or skips the intermediate) while the root is a different CA',
      next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null',
      fix: 'Serve leaf + intermediate(s) (cert-chain.pem); with istio-csr/Vault set the full chain (app.tls.rootCAFile).',
    },
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
    verify: '{fetch}openssl verify -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      if (!chain.verifier?.anchored) continue;
      const missing = chain.fromOutside.filter((c) => !c.selfIssued);
      if (missing.length === 0) continue;
      ctx.report({
        messageId: chain.subject === 'peer' ? 'peerMissing' : 'missing',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        data: {
          whose: whose(chain),
          presented: `${chain.presented.length} certificate${chain.presented.length === 1 ? '' : 's'}`,
          missing: missing.map(describe).join(', '),
          anchor: chain.verifier.anchor ? `"${chain.verifier.anchor.name}"` : 'root',
          from: [...new Set(missing.map((c) => c.source))].join(', '),
          ...verifyArgs(chain.leaf, ctx.facts.bundles[chain.verifier.bundle]),
        },
        evidence: [
          { source: chain.leaf.source, detail: `presented: ${chain.presented.map((c) => `"${c.name}"`).join(' → ')}` },
          ...missing.map((c) => ({ source: c.source, detail: `missing intermediate "${c.subject}" issues "${chain.path[chain.path.indexOf(c) - 1]?.name ?? '?'}"` })),
        ],
      });
    }
  },
});
