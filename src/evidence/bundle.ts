import { inputError, MtlsDoctorError } from '../errors.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type EvidenceBundle } from './types.js';
import { proxyEvidenceProblem } from './proxy.js';
import { clusterEvidenceProblem } from './cluster.js';

const PRIVATE_KEY_MARKER = /PRIVATE KEY-----/;

/** Serialises a bundle for `--save-evidence`. Refuses, as a last guard, anything that holds key material. */
export function serializeEvidence(bundle: EvidenceBundle): string {
  const text = JSON.stringify(bundle, null, 2) + '\n';
  if (PRIVATE_KEY_MARKER.test(text)) {
    throw new MtlsDoctorError('E_INTERNAL', 'Refusing to save evidence: it would contain private key material');
  }
  return text;
}

/** Parses and checks a saved bundle (`--evidence FILE`). */
export function parseEvidence(text: string, label: string): EvidenceBundle {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw inputError(`Cannot read evidence bundle ${label}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const b = data as Partial<EvidenceBundle>;
  if (!b || typeof b !== 'object' || b.kind !== EVIDENCE_KIND) {
    throw inputError(`Cannot read evidence bundle ${label}: not an mtls-doctor evidence bundle (no "kind": "${EVIDENCE_KIND}")`);
  }
  if (b.version !== EVIDENCE_VERSION) {
    throw inputError(`Cannot read evidence bundle ${label}: version ${String(b.version)} is not supported (this mtls-doctor reads version ${EVIDENCE_VERSION})`);
  }
  if (!b.certificates || !b.options || typeof b.evaluatedAt !== 'string' || !Array.isArray(b.sources)) {
    throw inputError(`Cannot read evidence bundle ${label}: it is missing required fields (certificates, options, evaluatedAt, sources)`);
  }
  const proxyProblem = b.proxy === undefined ? null : proxyEvidenceProblem(b.proxy);
  if (proxyProblem) throw inputError(`Cannot read evidence bundle ${label}: ${proxyProblem}`);
  const clusterProblem = b.cluster === undefined ? null : clusterEvidenceProblem(b.cluster);
  if (clusterProblem) throw inputError(`Cannot read evidence bundle ${label}: ${clusterProblem}`);
  return b as EvidenceBundle;
}
