import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { inputError, usageError } from '../errors.js';
import { resolveThresholds, type DeepPartial, type Thresholds } from '../facts/thresholds.js';
import { decodeCertificates, MAX_INPUT_BYTES, toPem, type CertificateInput } from '../x509/pem.js';
import { parseSpiffeId } from '../x509/spiffe.js';
import { redact } from '../redact.js';
import { CertificateBudget, formatBytes, LIMITS } from '../limits.js';
import { decodeCrls, parseCrl } from '../x509/crl.js';
import type { Source } from '../model/source.js';
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
  role?: Role;
  expectId?: string | null;
  peerId?: string | null;
  at?: Date | string | number;
  thresholds?: DeepPartial<Thresholds>;
  symptom?: string | null;
  target: Target;
  /** Clock for collectedAt; injected by tests. */
  now?: () => number;
}

const originOf = (input: NamedInput): Source => input.origin ?? { kind: 'file', path: input.name };

function certSet(input: NamedInput, budget?: CertificateBudget): CertSet {
  const blocks = decodeCertificates(input.data, input.name);
  // Counted before anything is parsed further: the total across every input of one diagnosis is bounded.
  budget?.add(blocks.length, input.name);
  return { source: input.name, origin: originOf(input), pems: blocks.map((b) => toPem(b.der)) };
}

/** Decodes and checks CRL input (one bad CRL is one clear E_INPUT line naming the file); keeps PEM. */
function crlSet(input: NamedInput, budget?: CertificateBudget): CertSet {
  const ders = decodeCrls(input.data, input.name);
  budget?.add(ders.length, input.name);
  ders.forEach((der, i) => parseCrl(der, ders.length > 1 ? `${input.name} (CRL ${i + 1})` : input.name));
  return { source: input.name, origin: originOf(input), pems: ders.map((der) => toPem(der, 'X509 CRL')) };
}

/** Validates `--max-depth`: a whole number of intermediate CAs, 0 or more. */
export function validateMaxDepth(v: number | string | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) {
    throw usageError(`Cannot use --max-depth "${String(v)}": expected a whole number of intermediate CAs from 0 to 1000 (OpenSSL -verify_depth; Envoy max_verify_depth N is --max-depth N-1)`);
  }
  return n;
}

/** Loads a private key from PEM or PKCS#8 DER; undefined when it cannot be loaded. Never echoes the input. */
export function tryLoadPrivateKey(data: CertificateInput): KeyObject | undefined {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  try {
    return /-----BEGIN /.test(text)
      ? createPrivateKey({ key: text, format: 'pem' })
      : createPrivateKey({ key: typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
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
  if (!key) throw inputError(`Cannot read ${input.name}: it is not a private key that can be loaded (PEM or PKCS#8 DER expected)`);
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
  }
  return id;
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
  const chain = i.chain ? certSet(i.chain, certs) : null;
  if (chain) record(`chain: ${chain.source}`, chain.pems.length);
  const trust = lists.trust.map((t) => certSet(t, certs));
  trust.forEach((t) => record(`trust: ${t.source}`, t.pems.length));
  const peerTrust = lists.peerTrust.length ? lists.peerTrust.map((t) => certSet(t, certs)) : null;
  peerTrust?.forEach((t) => record(`peer trust: ${t.source}`, t.pems.length));
  const ca = lists.ca.map((t) => certSet(t, certs));
  ca.forEach((t) => record(`ca: ${t.source}`, t.pems.length));
  const crls = lists.crls.map((c) => crlSet(c, crlBudget));
  crls.forEach((c) => sources.push({ name: `crl: ${c.source}`, status: 'ok', detail: `${c.pems.length} CRL${c.pems.length === 1 ? '' : 's'}` }));
  const maxChainDepth = validateMaxDepth(i.maxChainDepth);
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
      expectId: validateIdentity(i.expectId, '--expect-id'),
      peerId: validateIdentity(i.peerId, '--peer-id'),
      thresholds: resolveThresholds(i.thresholds),
      ...(maxChainDepth === null ? {} : { maxChainDepth }),
    },
    sources,
    certificates: { chain, trust, peerTrust, ca },
    key,
    // Pasted text is kept only redacted: a colleague's paste may hold a whole key.
    symptomText: i.symptom ? redact(i.symptom) : null,
    ...(crls.length ? { crls } : {}),
  };
}
