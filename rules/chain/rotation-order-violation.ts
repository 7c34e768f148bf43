/**
 * The cardinal rule of CA rotation: a new root must be in every peer's trust bundle *before* anything is
 * issued from it (add → switch issuance → remove). Istio "Plug in CA certificates" and root-transition docs;
 * the failure catalogue's rotation-order incidents.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, verifyArgs } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/rotation-order-violation',
    stage: 'chain',
    severity: 'critical',
    title: 'CA rotation out of order: the peer does not trust our root',
    description: "Our chain ends at a root that is in our trust bundle but not in the peer's, while the two bundles share an older root: the CA rotation happened out of order.",
    requires: ['local-chain', 'trust', 'peer-trust'],
    confidence: 0.9,
    explains: [
      { symptom: 'verify:unknown-issuer', weight: 0.65, why: 'Mid CA rotation: the new CA issues before its root reached every workload\'s trust bundle.' },
      { symptom: 'verify:same-name-other-key', weight: 0.65, why: 'Mid rotation: the new CA (same name, new key) issues before every trust bundle holds its root.' },
      { symptom: 'verify:self-signed-in-chain', weight: 0.6, why: 'A new root is in use before every peer trusts it.' },
      { symptom: 'verify:bad-signature', weight: 0.4, why: 'Mid rotation, old and new CAs with one name coexist.' },
      { symptom: 'verify:failed', weight: 0.45, why: 'Mid CA rotation: the new root has not reached this side\'s trust bundle.', context: 'mesh' },
      { symptom: 'alert:48', weight: 0.75, why: 'Mid rotation: our new CA issues before the peer trusts its root (istio#44932).' },
      { symptom: 'probe:go-bad-certificate', weight: 0.75, why: 'Mid rotation our new CA issues before the peer trusts its root: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.75, why: 'Mid rotation our new CA issues before the peer trusts its root: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.75, why: 'Mid rotation our new CA issues before the peer trusts its root: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'client and server show different ROOTCA serials in istioctl proxy-config secret',
      next: 'for p in POD PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done',
      fix: 'Distribute the new root to every trust bundle (old + new) before any workload gets a certificate from the new CA; restart lagging pods.',
    },
    messages: {
      removedEarly:
        'Our chain ends at root {root}, which our trust bundle still holds but the peer\'s no longer does; the two bundles share only the newer root {shared}. This is a CA rotation done out of order the other way round: the old root was removed from the peer\'s trust bundle before every leaf under it was re-issued (step 5 before step 4 finished). The peer rejects us with alert 48 unknown_ca (Envoy: fail_verify_error, CERTIFICATE_VERIFY_FAILED). Put the old root back into the peer\'s trust bundle until every workload serves a leaf from the new CA (or restart this workload so it gets one), then remove it.',
      violation:
        'Our chain ends at root {root}, which our trust bundle holds but the peer\'s does not. The two bundles still share {shared}: this is a CA rotation done out of order — the new CA started issuing before its root was distributed to every peer. The peer rejects us with alert 48 unknown_ca (Envoy: fail_verify_error, CERTIFICATE_VERIFY_FAILED) while workloads still on the old CA keep working.',
    },
    remediation: [
      'Put BOTH roots in every trust bundle first (Istio: the cacerts root-cert.pem, or the istio-ca-root-cert ConfigMap, with old + new roots concatenated), and wait until every proxy has it (istioctl proxy-config secret POD shows two ROOTCA entries)',
      'Only then switch issuance to the new CA; remove the old root after every leaf has rotated',
    ],
    verify: '{fetch}openssl verify -CAfile {trust} -untrusted {chain} {chain}',
  },
  check(ctx) {
    const { local, bundles } = ctx.facts;
    if (!local || !bundles.trust || !bundles.peerTrust) return;
    const ours = local.anchoredIn.trust;
    if (!ours || local.anchoredIn.peerTrust) return;
    // One root in both bundles: the same certificate, or a re-issue of it (same name, same key).
    const sameRoot = (a: { fingerprint: string; subjectKey: string; spkiSha256: string }, b: typeof a) => a.fingerprint === b.fingerprint || (a.subjectKey === b.subjectKey && a.spkiSha256 === b.spkiSha256);
    const shared = bundles.peerTrust.certs.filter((p) => bundles.trust!.certs.some((t) => sameRoot(t, p)));
    if (shared.length === 0) return;
    const root = ctx.facts.certs.get(ours) ?? local.path[local.path.length - 1]!;
    // Which way round: our root older than every root the bundles share means the old root left the peer too early;
    // otherwise (newer, or no date to tell) the new CA issues before its root reached the peer.
    // Dates as our own bundle holds the shared roots (a peer may hold a re-issued copy with a fresh notBefore).
    const sharedOurs = bundles.trust.certs.filter((t) => shared.some((p) => sameRoot(t, p)));
    const removedEarly = sharedOurs.length > 0 && sharedOurs.every((c) => c.notBefore > root.notBefore);
    ctx.report({
      messageId: removedEarly ? 'removedEarly' : 'violation',
      about: local.leaf.fingerprint,
      data: { root: describe(root), shared: shared.map(describe).join(', '), ...verifyArgs(local.leaf, bundles.peerTrust) },
      evidence: [
        { source: root.source, detail: `our chain's root "${root.subject}" (in ${bundles.trust.source})` },
        { source: bundles.peerTrust.source, detail: `peer trusts: ${bundles.peerTrust.certs.map((c) => `"${c.name}"`).join(', ')}` },
      ],
    });
  },
});
