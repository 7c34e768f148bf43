import type { ParsedCert } from '../x509/certificate.js';
import { parseCertSets } from './parse.js';
import { buildChain, type BundleFact } from '../x509/chain.js';
import type { CertSet, EvidenceBundle } from '../evidence/types.js';
import type { CertFact } from '../x509/types.js';
import type { Facts } from './types.js';
import { atIndex, type Source } from '../model/source.js';
import { deriveSymptoms, type PastedDecoder } from './symptoms.js';
import { buildProxyFacts } from './proxy.js';
import { peerChainFact, probeFacts } from './handshake.js';
import { decodeCrls, parseCrl, resolveCrlSigners } from '../x509/crl.js';
import { buildClusterFacts } from './policy.js';

function bundle(name: string, sets: CertSet[], parsed: ParsedCert[]): BundleFact {
  return { name, source: sets.map((s) => s.source).join(', '), certs: parsed.map((p) => p.fact) };
}

/** Parses the evidence's CRLs and checks each signature against the certificates named as its issuer. */
function crlFacts(ev: EvidenceBundle, certs: ParsedCert[]): Facts['crls'] {
  if (!ev.crls?.length) return [];
  const parsed = ev.crls.flatMap((set) => {
    const ders = set.pems.flatMap((pem) => decodeCrls(pem, set.source));
    const origin: Source = set.origin ?? { kind: 'file', path: set.source };
    return ders.map((der, i) => ({ ...parseCrl(der, ders.length > 1 ? `${set.source} #${i + 1}` : set.source), origin: ders.length > 1 ? atIndex(origin, i + 1) : origin }));
  });
  return resolveCrlSigners(parsed, certs);
}

/**
 * Derives facts from evidence. Pure: the same evidence gives the same facts. The symptoms are derived last,
 * from the facts (`deriveSymptoms`); pasted text (`--symptom`) becomes one through `pasted`, which the engine
 * passes (facts do not decode text).
 */
export function buildFacts(ev: EvidenceBundle, pasted?: PastedDecoder): Facts {
  const chainCerts = ev.certificates.chain ? parseCertSets([ev.certificates.chain]) : [];
  const trust = parseCertSets(ev.certificates.trust);
  const peerTrustAssumed = ev.certificates.peerTrust === null;
  const peerTrust = peerTrustAssumed ? trust : parseCertSets(ev.certificates.peerTrust!);
  const ca = parseCertSets(ev.certificates.ca);

  const bundles: Record<string, BundleFact> = {};
  if (ev.certificates.trust.length) bundles.trust = bundle('trust', ev.certificates.trust, trust);
  if (peerTrustAssumed) {
    if (bundles.trust) bundles.peerTrust = { ...bundles.trust, name: 'peerTrust' };
  } else bundles.peerTrust = bundle('peerTrust', ev.certificates.peerTrust!, peerTrust);
  if (ev.certificates.ca.length) bundles.ca = bundle('ca', ev.certificates.ca, ca);

  const pool = [...ca, ...trust, ...(peerTrustAssumed ? [] : peerTrust)];
  const local =
    chainCerts.length > 0
      ? buildChain({
          subject: 'local',
          usage: ev.options.role,
          expectedId: ev.options.expectId,
          presented: chainCerts,
          pool,
          bundles: Object.values(bundles),
          verifierBundle: bundles.peerTrust ? 'peerTrust' : null,
          at: Date.parse(ev.evaluatedAt),
        })
      : null;
  // What the peer presented in a probe: a second chain, verified against OUR trust bundle.
  const peer = peerChainFact(ev, { pool, bundles: Object.values(bundles), at: Date.parse(ev.evaluatedAt) });

  const certs = new Map<string, CertFact>();
  for (const c of [...chainCerts, ...(peer?.presented ?? []), ...pool]) if (!certs.has(c.fact.fingerprint)) certs.set(c.fact.fingerprint, c.fact);

  const facts: Omit<Facts, 'symptoms'> = {
    now: Date.parse(ev.evaluatedAt),
    role: ev.options.role,
    chains: [local, peer?.chain].filter((c): c is NonNullable<typeof c> => !!c),
    local,
    bundles,
    peerTrustAssumed,
    key: ev.key ? { ...ev.key, matchesLeaf: local ? ev.key.spkiSha256 === local.leaf.spkiSha256 : null } : null,
    expectId: ev.options.expectId,
    thresholds: ev.options.thresholds,
    certs,
    symptomText: ev.symptomText,
    proxy: buildProxyFacts(ev),
    probe: probeFacts(ev),
    crls: crlFacts(ev, [...chainCerts, ...(peer?.presented ?? []), ...pool]),
    maxChainDepth: ev.options.maxChainDepth ?? null,
    cluster: ev.cluster ? buildClusterFacts(ev.cluster, local?.leaf.spiffe.filter((s) => s.ok) ?? []) : null,
  };
  return { ...facts, symptoms: deriveSymptoms(facts, pasted) };
}
