import { inputError, MtlsDoctorError } from '../errors.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type EvidenceBundle } from './types.js';
import { proxyEvidenceProblem } from './proxy.js';
import { containsSecret, redactDeep } from '../redact.js';
import { formatBytes, jsonNestingDepth, LIMITS } from '../limits.js';

/**
 * Serialises a bundle for `--save-evidence`. Every string in it passes the one redactor first (pasted text,
 * remote error bodies, labels): key material is replaced, never saved, and never a reason to lose the run.
 */
export function serializeEvidence(bundle: EvidenceBundle): string {
  const text = JSON.stringify(redactDeep(bundle), null, 2) + '\n';
  // Cannot happen after redactDeep (each string is clean); kept as the last guard against a future field.
  if (containsSecret(text)) throw new MtlsDoctorError('E_INTERNAL', 'Refusing to save evidence: it would contain private key material');
  return text;
}

/** Parses and checks a saved bundle (`--evidence FILE`): size, nesting and certificate counts first (limits.ts). */
export function parseEvidence(text: string, label: string): EvidenceBundle {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.bundleBytes) {
    throw inputError(`Cannot read evidence bundle ${label}: it is ${formatBytes(bytes)}, over the ${formatBytes(LIMITS.bundleBytes)} limit for a bundle`);
  }
  if (jsonNestingDepth(text) > LIMITS.jsonDepth) {
    throw inputError(`Cannot read evidence bundle ${label}: its JSON nests more than ${LIMITS.jsonDepth} levels deep; a bundle never does`);
  }
  const problem = pemCountProblem(text);
  if (problem) throw inputError(`Cannot read evidence bundle ${label}: ${problem}`);
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
  const limitProblem = bundleLimitProblem(b as EvidenceBundle);
  if (limitProblem) throw inputError(`Cannot read evidence bundle ${label}: ${limitProblem}`);
  return b as EvidenceBundle;
}

/** PEM blocks in JSON text (certificates and CRLs), counted before parsing: occurrences and distinct bodies. */
function pemCountProblem(text: string): string | null {
  let occurrences = 0;
  const distinct = new Set<string>();
  const max = LIMITS.certificatesTotal;
  for (let i = text.indexOf('-----BEGIN '); i >= 0; i = text.indexOf('-----BEGIN ', i + 11)) {
    occurrences++;
    // The first 120 characters of the body tell certificates apart (issuer, serial) well enough for a bound.
    distinct.add(text.slice(i, i + 200));
    if (occurrences > 2 * max) return `it holds more than ${2 * max} PEM blocks; the limit for one diagnosis is ${max} certificates`;
  }
  if (distinct.size > max) return `it holds more than ${max} different certificates, the limit for one diagnosis`;
  return null;
}

/**
 * The limits a bundle object must keep (limits.ts), whether it was read from a file or handed to the library:
 * certificates per set, pasted text, the size of Envoy's lists. The problem in words, or null.
 */
export function bundleLimitProblem(b: EvidenceBundle): string | null {
  const sets: Array<{ where: string; pems: unknown }> = [];
  const c = b.certificates as Partial<EvidenceBundle['certificates']> | undefined;
  if (c?.chain) sets.push({ where: 'certificates.chain', pems: c.chain.pems });
  for (const [k, list] of [['trust', c?.trust], ['peerTrust', c?.peerTrust], ['ca', c?.ca], ['crls', b.crls]] as const) {
    if (list !== undefined && list !== null && !Array.isArray(list)) return `"${k}" is not a list`;
    (list ?? []).forEach((s, i) => sets.push({ where: `${k}[${i}]`, pems: s?.pems }));
  }
  for (const [i, s] of (b.proxy?.secrets ?? []).entries()) {
    sets.push({ where: `proxy.secrets[${i}]`, pems: s.pems });
    for (const [j, td] of (s.trustDomains ?? []).entries()) sets.push({ where: `proxy.secrets[${i}].trustDomains[${j}]`, pems: td?.pems });
  }
  for (const [i, f] of (b.proxy?.files ?? []).entries()) sets.push({ where: `proxy.files[${i}]`, pems: f.pems });
  if (b.handshakes !== undefined && !Array.isArray(b.handshakes)) return '"handshakes" is not a list';
  for (const [i, h] of (b.handshakes ?? []).entries()) sets.push({ where: `handshakes[${i}].peerChain`, pems: h?.peerChain ?? [] });
  let total = 0;
  for (const s of sets) {
    if (!Array.isArray(s.pems) || s.pems.some((p) => typeof p !== 'string')) return `"${s.where}.pems" is not a list of PEM strings`;
    const n = (s.pems as string[]).reduce((a, p) => a + countPem(p), 0);
    if (n > LIMITS.certificatesPerSource) return `"${s.where}" holds ${n} PEM blocks, over the limit of ${LIMITS.certificatesPerSource} per source`;
    total += n;
  }
  if (total > 2 * LIMITS.certificatesTotal) return `it holds ${total} PEM blocks, over the limit of ${LIMITS.certificatesTotal} certificates for one diagnosis`;
  if (typeof b.symptomText === 'string' && Buffer.byteLength(b.symptomText) > LIMITS.textBytes) return `"symptomText" is over the ${formatBytes(LIMITS.textBytes)} limit for pasted text`;
  const p = b.proxy;
  if (p) {
    for (const [k, n] of [['secrets', p.secrets.length], ['served', p.served.length], ['files', p.files.length], ['stats', p.stats.length]] as const) {
      if (n > LIMITS.adminItems) return `"proxy.${k}" has ${n} entries, over the limit of ${LIMITS.adminItems}`;
    }
    for (const [i, s] of p.stats.entries()) {
      const n = s.values && typeof s.values === 'object' ? Object.keys(s.values).length : 0;
      if (n > LIMITS.adminItems) return `"proxy.stats[${i}].values" has ${n} entries, over the limit of ${LIMITS.adminItems}`;
    }
  }
  if (Array.isArray(b.sources) && b.sources.length > LIMITS.adminItems) return `"sources" has ${b.sources.length} entries, over the limit of ${LIMITS.adminItems}`;
  return null;
}

function countPem(text: string): number {
  let n = 0;
  for (let i = text.indexOf('-----BEGIN '); i >= 0; i = text.indexOf('-----BEGIN ', i + 11)) n++;
  return n;
}
