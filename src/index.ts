/**
 * mtls-doctor's library surface: `diagnose()` returns the same report object that `mtls-doctor diagnose -o json`
 * prints.
 *
 * ```ts
 * import { diagnose } from 'mtls-doctor';
 * const report = await diagnose({ chain: pem, trust: [rootPem], expectId: 'spiffe://cluster.local/ns/a/sa/b' });
 * ```
 */
import { evaluate } from './engine/evaluate.js';
import { evidenceFromInputs, type NamedInput } from './evidence/from-inputs.js';
import type { EvidenceBundle, Role } from './evidence/types.js';
import type { DeepPartial, Thresholds } from './facts/thresholds.js';
import type { Report } from './report/types.js';
import { decodeCertificates, toPem, type CertificateInput } from './x509/pem.js';
import { rules } from '../rules/index.js';
import { redactDeep } from './redact.js';
import { checkDiagnoseArguments } from './diagnose/check-arguments.js';
import { guardReplay } from './evidence/bundle.js';

export interface DiagnoseOptions {
  /** The workload's chain as it presents it (leaf first): PEM or DER, one string/buffer or one per certificate. */
  chain?: CertificateInput | CertificateInput[];
  /** Its private key (PEM or PKCS#8 DER): used only to check it matches the leaf; never kept. */
  key?: CertificateInput;
  /** Trust bundle(s) the workload verifies peers with. */
  trust?: CertificateInput | CertificateInput[];
  /** Trust bundle(s) the peer verifies us with (default: same as `trust`). */
  peerTrust?: CertificateInput | CertificateInput[];
  /** The mesh CA's certificates (issuing intermediate and up). */
  ca?: CertificateInput | CertificateInput[];
  /** Certificate revocation lists the verifier checks with (PEM "X509 CRL" or DER), e.g. Istio's ca-crl.pem. */
  crls?: CertificateInput | CertificateInput[];
  /** The verifier's depth limit: at most this many intermediate CAs (OpenSSL -verify_depth; Envoy max_verify_depth N = N-1). */
  maxChainDepth?: number;
  role?: Role;
  expectId?: string;
  /** Evaluate at this time instead of now. */
  at?: Date | string | number;
  thresholds?: DeepPartial<Thresholds>;
  /** The error text the user saw (as `--symptom`): findings that explain it rank first with `explainsSymptom`. */
  symptom?: string;
  /** A saved evidence bundle to replay instead of the inputs above. */
  evidence?: EvidenceBundle;
}

const many = (x: CertificateInput | CertificateInput[] | undefined): CertificateInput[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const named = (name: string, xs: CertificateInput[]): NamedInput[] => xs.map((data, i) => ({ name: xs.length > 1 ? `${name}[${i}]` : name, data }));

/** Diagnoses certificate material and returns the report (the JSON contract, `schemaVersion: 1`). */
export async function diagnose(options: DiagnoseOptions): Promise<Report> {
  // Wrongly typed arguments are one MtlsDoctorError (E_USAGE) naming the field, never a TypeError.
  checkDiagnoseArguments(options);
  if (options.evidence) return redactDeep(guardReplay('(the "evidence" argument)', () => evaluate(options.evidence!, rules)));
  const chain = many(options.chain);
  const evidence = evidenceFromInputs({
    chain: chain.length ? { name: 'chain', data: chain.length === 1 ? chain[0]! : joinInputs(chain) } : undefined,
    key: options.key === undefined ? undefined : { name: 'key', data: options.key },
    trust: named('trust', many(options.trust)),
    peerTrust: named('peerTrust', many(options.peerTrust)),
    ca: named('ca', many(options.ca)),
    crls: named('crl', many(options.crls)),
    maxChainDepth: options.maxChainDepth,
    role: options.role,
    expectId: options.expectId ?? null,
    at: options.at,
    thresholds: options.thresholds,
    symptom: options.symptom ?? null,
    target: { kind: 'library' },
  });
  return redactDeep(evaluate(evidence, rules));
}

/** Joins several certificate inputs (PEM or DER, mixed) into one PEM text, in order. */
function joinInputs(inputs: CertificateInput[]): string {
  return inputs.flatMap((x, i) => decodeCertificates(x, `chain[${i}]`).map((b) => toPem(b.der))).join('');
}

export { evaluate } from './engine/evaluate.js';
export { rules } from '../rules/index.js';
export { MtlsDoctorError } from './errors.js';
export { explain, type ExplainOptions } from './explain/explain.js';
export type { Report, Finding, NotEvaluated, Verdict, Severity, Stage } from './report/types.js';
export type { EvidenceBundle } from './evidence/types.js';
export type { Thresholds } from './facts/thresholds.js';
