import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { parseVerifier, VERIFIER_IDS, type VerifierId } from '../x509/verifiers.js';
import { inputError, usageError } from '../errors.js';
import { resolveThresholds, type DeepPartial, type Thresholds } from '../model/thresholds.js';
import { decodeCertificates, MAX_INPUT_BYTES, toPem, type CertificateInput } from '../x509/pem.js';
import { parseSpiffeId } from '../x509/spiffe.js';
import { redact } from '../redact.js';
import { CertificateBudget, formatBytes, LIMITS } from '../limits.js';
import { decodeCrls, parseCrl } from '../x509/crl.js';
import { chainFromSecretJson, looksLikeJson, trustFromSecretJson } from './secret-json.js';
import type { Source, SourceLabel } from '../model/source.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type CertSet, type EvidenceBundle, type KeyEvidence, type Role, type SourceRecord, type Target } from './types.js';

/** A certificate input with the name it is reported under (a file path, or `chain` for library callers). */
export interface NamedInput {
  name: string;
  /** Where it came from (a file, an Envoy secret, contents given inline); absent: `name` is a file path. */
  origin?: Source;
  data: CertificateInput;
}

export interface InputsToEvidence {
  chain?: NamedInput;
  key?: NamedInput;
  trust?: NamedInput[];
  peerTrust?: NamedInput[];
  ca?: NamedInput[];
  /** Certificate revocation lists (PEM "X509 CRL" or DER), each named by its file. */
  crls?: NamedInput[];
  /** The verifier's depth limit: at most this many intermediate CAs (OpenSSL -verify_depth). */
  maxChainDepth?: number | string | null;
  /** Whose verifier judges the chain (`--verifier`); default envoy. */
  verifier?: string;
  role?: Role;
  /** One identity, or several of which any one is enough (`--expect-id` repeated). */
  expectId?: string | readonly string[] | null;
  peerId?: string | null;
  at?: Date | string | number;
  thresholds?: DeepPartial<Thresholds>;
  symptom?: string | null;
  target: Target;
  /** Clock for collectedAt; injected by tests. */
  now?: () => number;
  /**
   * How inputs read from istioctl / config_dump JSON are named (`envoy secret "ROOTCA" in secret.json`): the
   * report's labels (src/report/source-label.ts), handed down by the pipeline.
   */
  label: SourceLabel;
}

const originOf = (input: NamedInput): Source => input.origin ?? { kind: 'file', path: input.name };

function certSet(input: NamedInput, budget?: CertificateBudget): CertSet {
  const blocks = decodeCertificates(input.data, input.name);
  // Counted before anything is parsed further: the total across every input of one diagnosis is bounded.
  budget?.add(blocks.length, input.name);
  return { source: input.name, origin: originOf(input), pems: blocks.map((b) => toPem(b.der)) };
}

/** Bundles given as istioctl / config_dump JSON become their ROOTCA certificates. */
function expandJson(inputs: NamedInput[], flag: string, label: SourceLabel): NamedInput[] {
  return inputs.flatMap((x) => (looksLikeJson(x.data) ? trustFromSecretJson(x.data, x.name, flag, label) : [x]));
}

/** Decodes and checks CRL input (one bad CRL is one clear E_INPUT line naming the file); keeps PEM. */
function crlSet(input: NamedInput, budget?: CertificateBudget): CertSet {
  const ders = decodeCrls(input.data, input.name);
  budget?.add(ders.length, input.name);
  ders.forEach((der, i) => parseCrl(der, ders.length > 1 ? `${input.name} (CRL ${i + 1})` : input.name));
  return { source: input.name, origin: originOf(input), pems: ders.map((der) => toPem(der, 'X509 CRL')) };
}

/** Validates `--max-depth`: a whole number of intermediate CAs, 0 or more. */
/** Checks a `--verifier` value; undefined stays undefined (the default profile). */
export function validateVerifier(v: unknown): VerifierId | undefined {
  if (v === undefined || v === null) return undefined;
  const id = parseVerifier(v);
  if (!id) throw usageError(`Cannot use --verifier "${String(v)}": expected one of ${VERIFIER_IDS.join(', ')}`);
  return id;
}

export function validateMaxDepth(v: number | string | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) {
    throw usageError(`Cannot use --max-depth "${String(v)}": expected a whole number of intermediate CAs from 0 to 1000 (OpenSSL -verify_depth; Envoy max_verify_depth N is --max-depth N-1)`);
  }
  return n;
}

/**
 * Loads a private key from PEM, or DER in any of the encodings tools write (PKCS#8; PKCS#1 for RSA, as
 * `openssl rsa -outform DER`; SEC1 for EC, as `openssl ec -outform DER`); undefined when it cannot be loaded.
 * Never echoes the input.
 */
export function tryLoadPrivateKey(data: CertificateInput): KeyObject | undefined {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  if (/-----BEGIN /.test(text)) {
    try {
      return createPrivateKey({ key: text, format: 'pem' });
    } catch {
      return undefined;
    }
  }
  const der = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // not this encoding: try the next
    }
  }
  return undefined;
}

/**
 * Reduces a private key to its public facts. The key itself never leaves this function: not in evidence,
 * not in a message. Errors name the file and the problem, never the content.
 */
export function keyEvidence(input: NamedInput): KeyEvidence {
  const size = typeof input.data === 'string' ? Buffer.byteLength(input.data) : input.data.byteLength;
  if (size === 0) throw inputError(`Cannot read ${input.name}: it is empty; expected a PEM or DER private key`);
  if (size > MAX_INPUT_BYTES) throw inputError(`Cannot read ${input.name}: it is too large to be a private key`);
  const text = typeof input.data === 'string' ? input.data : Buffer.from(input.data).toString('latin1');
  if (/-----BEGIN (TRUSTED |X509 )?CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text)) {
    throw inputError(`Cannot read ${input.name}: it holds a certificate, not a private key (give certificates with --chain)`);
  }
  // (Written -{5} so that no file here contains a literal private-key PEM header for scanners to flag.)
  if (/-{5}BEGIN ENCRYPTED PRIVATE KEY-{5}/.test(text) || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw inputError(`Cannot read ${input.name}: the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN.key)`);
  }
  const key = tryLoadPrivateKey(input.data);
  if (!key) throw inputError(`Cannot read ${input.name}: it is not a private key that can be loaded (PEM, or DER as PKCS#8, PKCS#1 or SEC1, expected)`);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return { source: input.name, origin: originOf(input), type: key.asymmetricKeyType ?? 'unknown', spkiSha256: createHash('sha256').update(spki).digest('hex') };
}

/** Parses `--at` forms: ISO 8601, a Date, or epoch milliseconds. */
export function parseAt(at: Date | string | number | undefined, now: number): number {
  if (at === undefined) return now;
  const t = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  // A Date holds ±8.64e15 ms; past that toISOString() throws a RangeError.
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) throw usageError(`Cannot use --at "${String(at)}": expected an ISO 8601 time such as 2026-11-29T02:47:00Z`);
  return t;
}

export function validateIdentity(id: string | null | undefined, flag: string): string | null {
  if (id === undefined || id === null || id === '') return null;
  if (/^spiffe:/i.test(id)) {
    const p = parseSpiffeId(id);
    if (!p.ok) throw usageError(`Cannot use ${flag} "${id}": not a valid SPIFFE ID (${p.problem}); expected spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT`);
    // Istio's form is exactly /ns/NAMESPACE/sa/SERVICE_ACCOUNT: a path that starts like it and stops short (or
    // runs on) names no workload, and would only ever "mismatch".
    if (/^\/ns(\/|$)/.test(p.id.path) && p.id.serviceAccount === undefined) {
      throw usageError(`Cannot use ${flag} "${id}": an Istio SPIFFE ID is spiffe://${p.id.trustDomain}/ns/NAMESPACE/sa/SERVICE_ACCOUNT, and this one ${/^\/ns\/[^/]+$/.test(p.id.path) ? 'has no /sa/SERVICE_ACCOUNT' : 'does not have that shape'}`);
    }
  }
  return id;
}

/** `--expect-id`, once or repeated: validated, the first as `expectId`, all of them as `expectIds` when several. */
export function expectIdOptions(v: string | readonly string[] | null | undefined): { expectId: string | null; expectIds?: string[] } {
  const ids = [...new Set((typeof v === 'string' || v === null || v === undefined ? [v] : v).map((x) => validateIdentity(x, '--expect-id')).filter((x): x is string => x !== null))];
  return ids.length > 1 ? { expectId: ids[0]!, expectIds: ids } : { expectId: ids[0] ?? null };
}

/** Turns certificate material given by a user (files or library arguments) into an evidence bundle. */
export function evidenceFromInputs(i: InputsToEvidence): EvidenceBundle {
  const clock = i.now ?? Date.now;
  const collected = clock();
  const sources: SourceRecord[] = [];
  const record = (name: string, n: number) => sources.push({ name, status: 'ok', detail: `${n} certificate${n === 1 ? '' : 's'}` });
  const lists = { trust: i.trust ?? [], peerTrust: i.peerTrust ?? [], ca: i.ca ?? [], crls: i.crls ?? [] };
  for (const [name, list] of Object.entries(lists)) {
    if (list.length > LIMITS.inputsPerList) throw inputError(`Cannot read ${name}: ${list.length} inputs, over the limit of ${LIMITS.inputsPerList} in one list`);
  }
  if (typeof i.symptom === 'string' && Buffer.byteLength(i.symptom) > LIMITS.textBytes) {
    throw inputError(`Cannot use the symptom text: it is over the ${formatBytes(LIMITS.textBytes)} limit for pasted text; paste only the failing lines`);
  }
  const certs = new CertificateBudget(inputError);
  const crlBudget = new CertificateBudget(inputError, LIMITS.crlsTotal, 'CRLs');
  const set = (t: NamedInput) => certSet(t, certs);
  // istioctl / config_dump JSON: the `default` secret is the chain, and ROOTCA the trust bundle unless --trust is given.
  const json = i.chain && looksLikeJson(i.chain.data) ? chainFromSecretJson(i.chain.data, i.chain.name, i.label) : null;
  const chain = json ? set(json.chain) : i.chain ? set(i.chain) : null;
  if (chain) record(`chain: ${chain.source}`, chain.pems.length);
  const trust = expandJson(i.trust?.length ? i.trust : (json?.trust ?? []), '--trust', i.label).map(set);
  trust.forEach((t) => record(`trust: ${t.source}`, t.pems.length));
  const peerTrust = i.peerTrust && i.peerTrust.length ? expandJson(i.peerTrust, '--peer-trust', i.label).map(set) : null;
  peerTrust?.forEach((t) => record(`peer trust: ${t.source}`, t.pems.length));
  const ca = expandJson(i.ca ?? [], '--ca', i.label).map(set);
  ca.forEach((t) => record(`ca: ${t.source}`, t.pems.length));
  const crls = lists.crls.map((c) => crlSet(c, crlBudget));
  crls.forEach((c) => sources.push({ name: `crl: ${c.source}`, status: 'ok', detail: `${c.pems.length} CRL${c.pems.length === 1 ? '' : 's'}` }));
  const maxChainDepth = validateMaxDepth(i.maxChainDepth);
  const verifier = validateVerifier(i.verifier);
  const key = i.key ? keyEvidence(i.key) : null;
  if (key) sources.push({ name: `key: ${key.source}`, status: 'ok', detail: `${key.type} key (public part only kept)` });
  const role = i.role ?? 'both';
  if (!['client', 'server', 'both'].includes(role)) throw usageError(`Cannot use role "${String(role)}": expected client, server or both`);
  return {
    kind: EVIDENCE_KIND,
    version: EVIDENCE_VERSION,
    collectedAt: new Date(collected).toISOString(),
    evaluatedAt: new Date(parseAt(i.at, collected)).toISOString(),
    target: i.target,
    options: {
      role,
      ...expectIdOptions(i.expectId),
      peerId: validateIdentity(i.peerId, '--peer-id'),
      thresholds: resolveThresholds(i.thresholds),
      ...(maxChainDepth === null ? {} : { maxChainDepth }),
      ...(verifier ? { verifier } : {}),
    },
    sources,
    certificates: { chain, trust, peerTrust, ca },
    key,
    // Pasted text is kept only redacted: a colleague's paste may hold a whole key.
    symptomText: i.symptom ? redact(i.symptom) : null,
    ...(crls.length ? { crls } : {}),
  };
}
