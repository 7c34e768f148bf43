/**
 * Adds a probe of the peer to collected evidence: the workload's chain and trust come from the evidence, the
 * key from the caller (in memory only; it is never part of the evidence).
 */
import { tryLoadPrivateKey } from '../evidence/from-inputs.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { CertificateInput } from '../x509/pem.js';
import { probePeer, type PeerAddress, type ProbeOptions } from './probe.js';

export interface PeerProbeRequest extends Omit<ProbeOptions, 'peer' | 'chain' | 'key' | 'trust'> {
  peer: PeerAddress;
  /** The workload's private key (PEM or PKCS#8 DER) when the user gave one. */
  key?: CertificateInput;
}

/** Key material as PEM for node:tls, or undefined when it cannot be loaded (evidence reports the key problem). */
function keyPem(key: CertificateInput | undefined): string | undefined {
  return key === undefined ? undefined : tryLoadPrivateKey(key)?.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export async function probeIntoEvidence(evidence: EvidenceBundle, req: PeerProbeRequest): Promise<EvidenceBundle> {
  const chain = evidence.certificates.chain?.pems.join('') || undefined;
  const trust = evidence.certificates.trust.flatMap((t) => t.pems);
  const { key, peer, ...rest } = req;
  const result = await probePeer({ ...rest, peer, chain, key: chain ? keyPem(key) : undefined, trust });
  const target = evidence.certificates.chain ? { ...evidence.target, peer: peer.text } : { ...evidence.target, kind: 'peer' as const, peer: peer.text };
  return { ...evidence, target, sources: [...evidence.sources, result.source], handshakes: result.handshakes };
}
