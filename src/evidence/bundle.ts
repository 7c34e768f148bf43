import { inputError, jsonSyntaxProblem, MtlsDoctorError } from '../errors.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type EvidenceBundle } from './types.js';
import { proxyEvidenceProblem } from './proxy.js';
import { containsSecret, redactDeep } from '../redact.js';
import { formatBytes, jsonNestingDepth, LIMITS } from '../limits.js';
import { clusterEvidenceProblem } from './cluster.js';

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
    throw inputError(`Cannot read evidence bundle ${label}: ${jsonSyntaxProblem(text, e)}`);
  }
  const shape = bundleShapeProblem(data);
  if (shape) throw inputError(`Cannot read evidence bundle ${label}: ${shape}`);
  return data as EvidenceBundle;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isSet = (x: unknown) => isObj(x) && typeof x.source === 'string' && Array.isArray(x.pems);

/**
 * What makes a bundle object unusable, in words (null: usable): the fields every later stage reads, with their
 * types, and the limits. For files (`--evidence`) and the library's `evidence` alike, so that a hand-edited or
 * hostile bundle is one clear error instead of a TypeError in the facts.
 */
export function bundleShapeProblem(data: unknown): string | null {
  if (!isObj(data) || data.kind !== EVIDENCE_KIND) return `not an mtls-doctor evidence bundle (no "kind": "${EVIDENCE_KIND}")`;
  const b = data as Partial<Record<keyof EvidenceBundle, unknown>>;
  if (b.version !== EVIDENCE_VERSION) return `version ${String(b.version)} is not supported (this mtls-doctor reads version ${EVIDENCE_VERSION})`;
  if (!isObj(b.certificates) || !isObj(b.options) || typeof b.evaluatedAt !== 'string' || !Array.isArray(b.sources)) {
    return 'it is missing required fields (certificates, options, evaluatedAt, sources)';
  }
  const t = Date.parse(b.evaluatedAt);
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) return `"evaluatedAt" is not an ISO 8601 time`;
  if (typeof b.collectedAt !== 'string' && b.collectedAt !== undefined) return '"collectedAt" is not a string';
  if (!isObj(b.target) || typeof b.target.kind !== 'string') return '"target" needs a "kind"';
  const c = b.certificates;
  if (c.chain !== null && c.chain !== undefined && !isSet(c.chain)) return '"certificates.chain" needs "source" and "pems"';
  for (const k of ['trust', 'ca'] as const) if (!Array.isArray(c[k]) || !(c[k] as unknown[]).every(isSet)) return `"certificates.${k}" is not a list of {source, pems}`;
  if (c.peerTrust !== null && c.peerTrust !== undefined && (!Array.isArray(c.peerTrust) || !c.peerTrust.every(isSet))) return '"certificates.peerTrust" is not a list of {source, pems}';
  if (b.crls !== undefined && (!Array.isArray(b.crls) || !b.crls.every(isSet))) return '"crls" is not a list of {source, pems}';
  const o = b.options;
  if (!['client', 'server', 'both'].includes(o.role as string)) return '"options.role" is not client, server or both';
  for (const k of ['expectId', 'peerId'] as const) if (o[k] !== null && o[k] !== undefined && typeof o[k] !== 'string') return `"options.${k}" is not a string`;
  if (!isObj(o.thresholds)) return '"options.thresholds" is not an object';
  if (o.maxChainDepth !== undefined && o.maxChainDepth !== null && (!Number.isInteger(o.maxChainDepth) || (o.maxChainDepth as number) < 0)) return '"options.maxChainDepth" is not a whole number';
  if (!b.sources.every((s) => isObj(s) && typeof s.name === 'string' && typeof s.status === 'string')) return '"sources" is not a list of {name, status}';
  if (b.key !== null && b.key !== undefined && !(isObj(b.key) && typeof b.key.spkiSha256 === 'string' && typeof b.key.type === 'string')) return '"key" needs "type" and "spkiSha256"';
  if (b.symptomText !== null && b.symptomText !== undefined && typeof b.symptomText !== 'string') return '"symptomText" is not a string';
  if (b.handshakes !== undefined && (!Array.isArray(b.handshakes) || !b.handshakes.every((h) => isObj(h) && isObj(h.outcome) && Array.isArray(h.peerChain)))) {
    return '"handshakes" is not a list of handshake records (outcome, peerChain)';
  }
  const proxyProblem = b.proxy === undefined ? null : proxyEvidenceProblem(b.proxy);
  if (proxyProblem) return proxyProblem;
  const clusterProblem = b.cluster === undefined ? null : clusterEvidenceProblem(b.cluster);
  if (clusterProblem) return clusterProblem;
  return bundleLimitProblem(data as unknown as EvidenceBundle);
}

/**
 * Runs `fn` (the evaluation of a replayed bundle) and turns anything but our own errors into one clear E_INPUT
 * line: a bundle is outside input, and a field this version does not expect must not end in "Internal error".
 */
export function guardReplay<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MtlsDoctorError) throw e;
    throw inputError(`Cannot replay evidence bundle ${label}: it holds a value this mtls-doctor cannot use (${e instanceof Error ? e.message.split('\n')[0]!.slice(0, 160) : String(e)})`, e);
  }
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
    for (const [k, n, max] of [['secrets', p.secrets.length, LIMITS.adminItems], ['served', p.served.length, LIMITS.servedCertificates], ['files', p.files.length, LIMITS.adminItems], ['stats', p.stats.length, LIMITS.adminItems]] as const) {
      if (n > max) return `"proxy.${k}" has ${n} entries, over the limit of ${max}`;
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
