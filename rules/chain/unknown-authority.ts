/**
 * RFC 5280 §6.1: a path must start at a trust anchor the verifier holds. OpenSSL: "unable to get local
 * issuer certificate" / "self-signed certificate in certificate chain"; TLS alert 48 unknown_ca; Envoy
 * CERTIFICATE_VERIFY_FAILED and fail_verify_error.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, verifyArgs, whose } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/unknown-authority',
    stage: 'chain',
    severity: 'critical',
    title: 'Chain does not lead to a trusted root',
    description: 'The chain ends at a root the verifying side does not trust, or at an issuer nothing places under its roots.',
    requires: ['chain', 'verifier-trust'],
    reads: ['chain/rotation-order-violation'],
    confidence: 0.9,
    citation: 'RFC 5280 §6.1',
    explains: [
      { symptom: 'verify:unknown-issuer', weight: 0.9, why: 'The chain leads to a root the verifier\'s trust bundle does not hold (different root per cluster, reinstall with a new root).' },
      { symptom: 'verify:incomplete-chain', weight: 0.7, why: 'Or the leaf\'s issuer is simply not under any root the verifier trusts.' },
      { symptom: 'verify:same-name-other-key', weight: 0.85, why: 'The verifier trusts an old or other root with the same subject (reinstall, re-generated self-signed CA: istio#36723).' },
      { symptom: 'verify:self-signed-in-chain', weight: 0.9, why: 'The presented root is not in the verifier\'s trust bundle: another cluster\'s root, or a new root after reinstall.' },
      { symptom: 'verify:self-signed-leaf', weight: 0.85, why: 'The certificate is its own issuer and is not in the trust bundle: not a mesh certificate (an app\'s own TLS, a default proxy certificate).' },
      { symptom: 'verify:bad-signature', weight: 0.55, why: 'The verifier\'s bundle holds a different CA that shares the issuer\'s name.' },
      { symptom: 'verify:leaf-is-ca', weight: 0.3, why: 'A self-signed CA served as the leaf is also not under the trusted root.' },
      { symptom: 'verify:failed', weight: 0.6, why: 'The most common cause in meshes: the peer\'s chain leads to a root this side does not trust (multi-cluster, reinstall, rotation).' },
      { symptom: 'verify:failed-client', weight: 0.6, why: 'The client\'s chain leads to a root this server does not trust.' },
      { symptom: 'alert:48', weight: 0.85, why: 'Our chain ends at a root the peer\'s trust bundle does not hold (different roots per cluster: istio#52356).' },
      { symptom: 'alert:42', weight: 0.6, why: 'The commonest reason: the peer does not trust our root (linkerd2#3344).' },
      { symptom: 'ca-request-failed', weight: 0.35, why: 'The agent does not trust the CA\'s serving certificate (istio#42323).' },
      { symptom: 'envoy:fail_verify_error', weight: 0.7, why: 'Envoy counts a chain that does not lead to a root in its trust bundle as a verify error.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.7, why: 'A chain to a root not in the peer\'s ClientCAs fails Go\'s Verify (x509: certificate signed by unknown authority): Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.7, why: 'A chain to a root not in the verifier\'s RootCertStore fails webpki (UnknownIssuer): rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.7, why: 'A chain to a root GnuTLS does not trust fails its verification: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the root the chain ends at is absent from the verifying side\'s trust bundle (compare the ROOTCA serial on both pods)',
      next: 'mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem --peer-trust peer-root-cert.pem',
      fix: 'Put the signing root into every trust bundle (shared root or meshConfig.caCertificates), then restart the workloads so they pick it up.',
    },
    messages: {
      untrustedRoot:
        '{whose} chain ends at root {root}, which is not in the verifying side\'s trust bundle ({bundle}: {anchors}). The verifier rejects it with "self-signed certificate in certificate chain" / alert 48 unknown_ca. The two sides trust different roots: a cluster with its own self-signed CA, a reinstall that generated a new root, or multicluster without a shared root.',
      recreatedCa:
        '{whose} chain leads to "{caName}", and the verifying side\'s trust bundle ({bundle}) does hold a CA of that name, {trusted}, but with a different key (key id {chainKey}… expected by the chain, {trustedKey}… in the bundle). The CA was re-created under the same name (a reinstall, a regenerated self-signed root, a new cacerts Secret), so certificates issued by one cannot be verified with the other (alert 48 unknown_ca / "certificate signature failure").',
      notAccepted:
        '{peer} accepts client certificates issued under {accepted} — the CAs its CertificateRequest names ({read}) — and ours chain to {ours}. The peer does not trust the CA that issued our certificate, and rejected it: {how}. The two sides trust different roots: another cluster\'s CA, a reinstall that generated a new root, or a rotation the peer has not picked up yet.',
      missingIssuer:
        '{whose} chain stops at {top}, whose issuer "{issuer}" is neither presented nor in the verifying side\'s trust bundle ({bundle}: {anchors}). The verifier fails with "unable to get local issuer certificate" (alert 48 unknown_ca). Either the chain is missing an intermediate (give the CA certificates with --ca to check), or it was issued by a CA the peer does not trust.',
    },
    remediation: [
      'Make both sides trust the same root: put the issuing root into the verifier\'s trust bundle (Istio: root-cert.pem in the cacerts Secret / istio-ca-root-cert ConfigMap; multicluster: a common root for all clusters)',
      'If a root was replaced, issue leaves only from a CA whose root every peer already trusts',
    ],
    verify: '{fetch}openssl verify -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    let reportedLocal = false;
    for (const chain of ctx.facts.chains) {
      if (!chain.verifier || chain.verifier.anchored) continue;
      // Cut at the builder's depth limit: not evaluated (the engine says so), never reported as untrusted.
      if (chain.depthLimited) continue;
      const bundle = ctx.facts.bundles[chain.verifier.bundle]!;
      const top = chain.path[chain.path.length - 1]!;
      const anchors = bundle.certs.map((c) => `"${c.name}"`).join(', ') || 'empty';
      // The CA the chain needs: the untrusted root itself, or the missing issuer of the top certificate.
      const needed = chain.end === 'root' ? { name: top.name, key: top.subjectKey, keyId: top.ski } : { name: top.issuer, key: top.issuerKey, keyId: top.aki };
      // A CA of that name with another key in the bundle means the CA was re-created: say so, it is the cause.
      const namesake = bundle.certs.find((c) => c.subjectKey === needed.key && c.spkiSha256 !== top.spkiSha256);
      const messageId = namesake ? 'recreatedCa' : chain.end === 'root' ? 'untrustedRoot' : 'missingIssuer';
      if (chain.subject === 'local') reportedLocal = true;
      ctx.report({
        messageId,
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        causedBy: chain.subject === 'local' && ctx.earlier('chain/rotation-order-violation', chain.leaf.fingerprint) ? 'chain/rotation-order-violation' : null,
        data: {
          whose: whose(chain),
          root: describe(top),
          top: describe(top),
          issuer: top.issuer,
          bundle: bundle.source,
          anchors,
          caName: needed.name,
          trusted: namesake ? describe(namesake) : '',
          chainKey: (needed.keyId ?? 'unknown').slice(0, 16),
          trustedKey: namesake ? (namesake.ski ?? 'unknown').slice(0, 16) : '',
          ...verifyArgs(chain.leaf, bundle),
        },
        evidence: [
          { source: top.source, detail: `chain top: "${top.subject || top.name}" issued by "${top.issuer}"${needed.keyId ? `, key id ${needed.keyId}` : ''}` },
          { source: bundle.source, detail: `trust anchors: ${anchors}${namesake ? `; "${namesake.name}" has key id ${namesake.ski ?? 'unknown'}` : ''}` },
        ],
      });
    }
    if (!reportedLocal) notAcceptedByPeer(ctx);
  },
});

/**
 * The peer named the CAs it accepts client certificates under (its CertificateRequest's certificate_authorities,
 * read by the probe) and refused ours: when none of those names is on our chain, say which CA it wants and which
 * ours leads to. A peer that names no CA (BoringSSL/Envoy by default) tells nothing here.
 */
function notAcceptedByPeer(ctx: Parameters<Parameters<typeof defineRule>[0]['check']>[0]): void {
  const probe = ctx.facts.probe;
  const accepted = probe?.acceptedCas;
  if (!probe?.rejection || !accepted || accepted.names.length === 0) return;
  const chain = ctx.facts.chains.find((c) => c.subject === 'local');
  if (!chain || chain.depthLimited) return;
  const wanted = new Set(accepted.names.map((n) => n.key));
  const top = chain.path[chain.path.length - 1]!;
  const onOurChain = [...chain.path.map((c) => c.subjectKey), top.issuerKey];
  if (onOurChain.some((k) => wanted.has(k))) return;
  const quoted = accepted.names.map((n) => `"${n.short}"`);
  const acceptedText = quoted.length > 4 ? `${quoted.slice(0, 4).join(', ')} and ${quoted.length - 4} more` : quoted.join(quoted.length === 2 ? ' or ' : ', ');
  const rootName = chain.end === 'root' || top.selfIssued ? top.name : top.issuer;
  const via = chain.path.length > 2 ? ` (via "${chain.path[1]!.name}")` : '';
  const bundle = chain.verifier ? ctx.facts.bundles[chain.verifier.bundle] : undefined;
  ctx.report({
    messageId: 'notAccepted',
    subject: 'local',
    about: chain.leaf.fingerprint,
    data: {
      peer: probe.peer,
      accepted: acceptedText,
      read: accepted.read === 'clear' ? 'read in clear, TLS 1.2' : 'decrypted from its TLS 1.3 handshake',
      ours: `"${rootName}"${via}`,
      how: probe.rejection.how,
      whose: whose(chain),
      root: describe(top),
      top: describe(top),
      issuer: top.issuer,
      bundle: bundle?.source ?? 'the peer\'s trust bundle',
      anchors: accepted.names.map((n) => `"${n.name}"`).join(', '),
      caName: rootName,
      trusted: '',
      chainKey: '',
      trustedKey: '',
      // Verify our chain against the root the peer trusts (which the user fetches from the peer), not ours.
      ...verifyArgs(chain.leaf, undefined),
      trust: 'PEER-ROOT-CERT.pem',
    },
    evidence: [
      { source: `probe → ${probe.peer}`, detail: `CertificateRequest certificate_authorities: ${accepted.names.map((n) => n.name).join('; ')}` },
      { source: top.source, detail: `our chain top: "${top.subject || top.name}" issued by "${top.issuer}"` },
    ],
  });
}
