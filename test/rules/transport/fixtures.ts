/** Handshake records for the transport rules' table tests (built directly, as the probe would record them). */
import type { HandshakeEvidence, HandshakeOutcome } from '../../../src/evidence/handshake.js';
import { evidenceFromInputs } from '../../../src/evidence/from-inputs.js';
import type { EvidenceBundle } from '../../../src/evidence/types.js';
import { evidenceFor, mesh, NOW, type EvidenceSpec } from '../../support/pki.js';
import { sourceLabel } from '../../../src/report/source-label.js';

export const PEER = 'reviews.bookinfo:9080';

export function hs(attempt: HandshakeEvidence['attempt'], outcome: HandshakeOutcome, o: Partial<HandshakeEvidence> = {}): HandshakeEvidence {
  return {
    attempt,
    peer: PEER,
    address: '10.0.0.7',
    sni: 'reviews.bookinfo',
    alpnOffered: ['istio-peer-exchange', 'istio'],
    versionsOffered: attempt === 'wide' ? { min: 'TLSv1', max: 'TLSv1.3' } : { min: 'TLSv1.2', max: 'TLSv1.3' },
    ciphersOffered: attempt === 'wide' ? 'all' : 'default',
    clientCertificate: attempt === 'workload',
    outcome,
    negotiated: outcome.kind === 'success' ? { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: null } : null,
    peerChain: [],
    peerRequestedCertificate: null,
    localVerification: { checked: false, ok: false, code: null, reason: null },
    afterHandshake: null,
    durationMs: 4,
    ...o,
  };
}

export const ok = (attempt: HandshakeEvidence['attempt'] = 'workload') => hs(attempt, { kind: 'success' });
export const alert = (attempt: HandshakeEvidence['attempt'], n: number, name: string, phase: 'before-server-hello' | 'after-server-hello' | 'after-handshake' = 'after-handshake') =>
  hs(attempt, { kind: 'alert-received', alert: n, name, phase });

/** A healthy mesh workload's evidence (pinned NOW) plus the given handshakes. */
export async function withProbe(handshakes: HandshakeEvidence[], spec: Partial<EvidenceSpec> = {}): Promise<EvidenceBundle> {
  const m = await mesh();
  const ev = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], ...spec });
  return { ...ev, handshakes };
}

/** `--peer` alone: no chain of ours, only handshakes. */
export function probeOnly(handshakes: HandshakeEvidence[]): EvidenceBundle {
  const ev = evidenceFromInputs({ label: sourceLabel, target: { kind: 'peer', peer: PEER }, at: NOW, now: () => NOW });
  return { ...ev, handshakes };
}
