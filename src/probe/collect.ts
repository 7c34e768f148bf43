/**
 * Adds a probe of the peer to collected evidence: the workload's chain and trust come from the evidence, the
 * key from the caller (in memory only; it is never part of the evidence). The probe can also run before the
 * evidence is complete (`probeWith`, then `withProbe`): it needs only the chain, the key and the trust bundle,
 * so it runs beside the sources it does not depend on, under the diagnosis's one deadline.
 */
import { tryLoadPrivateKey } from '../evidence/from-inputs.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { CertificateInput } from '../x509/pem.js';
import { probePeer, type PeerAddress, type ProbeOptions, type ProbeResult } from './probe.js';

export interface PeerProbeRequest extends Omit<ProbeOptions, 'peer' | 'chain' | 'key' | 'trust'> {
  peer: PeerAddress;
  /** The workload's private key (PEM or PKCS#8 DER) when the user gave one. */
  key?: CertificateInput;
}

/** Key material as PEM for node:tls, or undefined when it cannot be loaded (evidence reports the key problem). */
function keyPem(key: CertificateInput | undefined): string | undefined {
  return key === undefined ? undefined : tryLoadPrivateKey(key)?.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Probes the peer as the workload with `chain` (PEM, leaf first; with the key) and verifies it with `trust`. */
export function probeWith(chain: string | undefined, trust: string[], req: PeerProbeRequest): Promise<ProbeResult> {
  const { key, peer, ...rest } = req;
  return probePeer({ ...rest, peer, chain, key: chain ? keyPem(key) : undefined, trust });
}

/** The evidence with a probe's handshakes and source record added. */
export function withProbe(evidence: EvidenceBundle, peer: PeerAddress, result: ProbeResult): EvidenceBundle {
  const target = evidence.certificates.chain ? { ...evidence.target, peer: peer.text } : { ...evidence.target, kind: 'peer' as const, peer: peer.text };
  return { ...evidence, target, sources: [...evidence.sources, result.source], handshakes: result.handshakes };
}

export async function probeIntoEvidence(evidence: EvidenceBundle, req: PeerProbeRequest): Promise<EvidenceBundle> {
  const chain = evidence.certificates.chain?.pems.join('') || undefined;
  const trust = evidence.certificates.trust.flatMap((t) => t.pems);
  return withProbe(evidence, req.peer, await probeWith(chain, trust, req));
}
