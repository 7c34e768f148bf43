import type { ParsedCert } from '../x509/certificate.js';
import { parseCertSets } from './parse.js';
import { buildChain, type BundleFact } from '../x509/chain.js';
import type { CertSet, EvidenceBundle } from '../evidence/types.js';
import type { CertFact } from '../x509/types.js';
import type { Facts } from './types.js';
import { atIndex, type Source, type SourceLabel } from '../model/source.js';
import { deriveSymptoms, type PastedDecoder } from './symptoms.js';
import { buildProxyFacts } from './proxy.js';
import { servedOnlyChain } from './served-chain.js';
import { peerChainFact, peerPresented, probeFacts } from './handshake.js';
import { decodeCrls, parseCrl, resolveCrlSigners } from '../x509/crl.js';
import { evaluationTime, parseVerifier, verifierFromEvidence } from '../x509/verifiers.js';
import { buildClusterFacts } from './policy.js';

function bundle(name: string, sets: CertSet[], parsed: ParsedCert[]): BundleFact {
  return { name, source: sets.map((s) => s.source).join(', '), certs: parsed.map((p) => p.fact) };
}

/** Parses the evidence's CRLs and checks each signature against the certificates named as its issuer. */
function crlFacts(ev: EvidenceBundle, certs: ParsedCert[], label: SourceLabel): Facts['crls'] {
  if (!ev.crls?.length) return [];
  const parsed = ev.crls.flatMap((set) => {
    const ders = set.pems.flatMap((pem) => decodeCrls(pem, set.source));
    const origin: Source = set.origin ?? { kind: 'file', path: set.source };
    return ders.map((der, i) => {
      const at = ders.length > 1 ? atIndex(origin, i + 1) : origin;
      return { ...parseCrl(der, label(at)), origin: at };
    });
  });
  return resolveCrlSigners(parsed, certs);
}

/**
 * Derives facts from evidence. Pure: the same evidence gives the same facts. The symptoms are derived last,
 * from the facts (`deriveSymptoms`); pasted text (`--symptom`) becomes one through `pasted`, which the engine
 * passes (facts do not decode text). `label` names each certificate's source (`chain.pem #2`): the report's
 * (src/report/source-label.ts), handed down by the pipeline, as facts render no label of their own.
 */
export function buildFacts(ev: EvidenceBundle, o: { label: SourceLabel; pasted?: PastedDecoder | undefined }): Facts {
  const { label, pasted } = o;
  const chainCerts = ev.certificates.chain ? parseCertSets([ev.certificates.chain], label) : [];
  const trust = parseCertSets(ev.certificates.trust, label);
  const peerTrustAssumed = ev.certificates.peerTrust === null;
  const peerTrust = peerTrustAssumed ? trust : parseCertSets(ev.certificates.peerTrust!, label);
  const ca = parseCertSets(ev.certificates.ca, label);

  const bundles: Record<string, BundleFact> = {};
  if (ev.certificates.trust.length) bundles.trust = bundle('trust', ev.certificates.trust, trust);
  if (peerTrustAssumed) {
    if (bundles.trust) bundles.peerTrust = { ...bundles.trust, name: 'peerTrust' };
  } else bundles.peerTrust = bundle('peerTrust', ev.certificates.peerTrust!, peerTrust);
  if (ev.certificates.ca.length) bundles.ca = bundle('ca', ev.certificates.ca, ca);

  const pool = [...ca, ...trust, ...(peerTrustAssumed ? [] : peerTrust)];
  // The CAs a probed peer presented are known too: when ours leaves out the intermediate both sides share, our
  // chain is then seen as incomplete (the peer cannot build it) rather than as leading to no CA at all.
  const peerCas = peerPresented(ev, label).filter((c) => c.fact.basicConstraints?.ca === true);
  const local =
    chainCerts.length > 0
      ? buildChain({
          subject: 'local',
          usage: ev.options.role,
          expectedId: ev.options.expectId,
          presented: chainCerts,
          pool: [...pool, ...peerCas],
          bundles: Object.values(bundles),
          verifierBundle: bundles.peerTrust ? 'peerTrust' : null,
          at: Date.parse(ev.evaluatedAt),
        })
      : // No chain at all: the leaf Envoy's /certs lists, when that is all the proxy showed.
        servedOnlyChain(ev.proxy, ev.options.role, ev.options.expectId);
  // What the peer presented in a probe: a second chain, verified against OUR trust bundle.
  // Our own chain's CAs are known too: a peer that omits the intermediate we share is then seen as an
  // incomplete chain on the peer's side, not as "a CA nobody trusts".
  const ourCas = chainCerts.filter((c) => c.fact.basicConstraints?.ca === true);
  const peer = peerChainFact(ev, { pool: [...pool, ...ourCas], bundles: Object.values(bundles), at: Date.parse(ev.evaluatedAt), label });

  const certs = new Map<string, CertFact>();
  for (const c of [...chainCerts, ...(peer?.presented ?? []), ...pool]) if (!certs.has(c.fact.fingerprint)) certs.set(c.fact.fingerprint, c.fact);

  // Named (--verifier) or, failing that, what the evidence says about the data plane: a pod in ambient mode (its
  // istio.io/dataplane-mode label in cluster mode, or `target.dataplaneMode`) is verified by ztunnel.
  const dataplaneMode = ev.cluster?.pod?.labels['istio.io/dataplane-mode'] ?? (typeof ev.target.dataplaneMode === 'string' ? ev.target.dataplaneMode : null);
  const verifier = parseVerifier(ev.options.verifier) ?? verifierFromEvidence({ dataplaneMode });
  const facts: Omit<Facts, 'symptoms'> = {
    // Whole seconds for BoringSSL, rustls-webpki and pyca; the instant for Go (src/x509/verifiers.ts VALIDITY_TIME).
    now: evaluationTime(Date.parse(ev.evaluatedAt), verifier),
    role: ev.options.role,
    chains: [local, peer?.chain].filter((c): c is NonNullable<typeof c> => !!c),
    local,
    bundles,
    peerTrustAssumed,
    key: ev.key ? { ...ev.key, matchesLeaf: local ? ev.key.spkiSha256 === local.leaf.spkiSha256 : null } : null,
    expectId: ev.options.expectId,
    expectIds: ev.options.expectIds?.length ? ev.options.expectIds : ev.options.expectId ? [ev.options.expectId] : [],
    thresholds: ev.options.thresholds,
    certs,
    symptomText: ev.symptomText,
    proxy: buildProxyFacts(ev, label),
    probe: probeFacts(ev),
    crls: crlFacts(ev, [...chainCerts, ...(peer?.presented ?? []), ...pool], label),
    maxChainDepth: ev.options.maxChainDepth ?? null,
    verifier,
    cluster: ev.cluster ? buildClusterFacts(ev.cluster, local?.leaf.spiffe.filter((s) => s.ok) ?? [], label) : null,
  };
  return { ...facts, symptoms: deriveSymptoms(facts, pasted) };
}
