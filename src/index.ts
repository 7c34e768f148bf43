/**
 * mtls-doctor's library surface: `diagnose(request)` runs the same pipeline as `mtls-doctor diagnose` and
 * returns the report object that `-o json` prints. The request's fields are the CLI's flags in camelCase.
 *
 * ```ts
 * import { diagnose } from 'mtls-doctor';
 * // Certificate material as PEM/DER strings or buffers, { name, data }, or { path } to read a file:
 * const report = await diagnose({ chain: pem, trust: [rootPem], expectId: 'spiffe://cluster.local/ns/a/sa/b' });
 * // A real handshake with a peer, and the istio-proxy's Envoy admin:
 * await diagnose({ chain: pem, key: keyPem, trust: rootPem, peer: 'reviews.bookinfo:9080' });
 * await diagnose({ envoyAdmin: 'http://127.0.0.1:15000', window: 10 });
 * // A saved bundle, judged at another time:
 * await diagnose({ evidence: { path: 'bundle.json' }, at: '2030-01-01T00:00:00Z' });
 * ```
 */
import type { DiagnoseRequest } from './diagnose/request.js';

export { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseDeps, type DiagnoseResult } from './diagnose/diagnose.js';
export { requestReadsFiles, type DiagnoseRequest, type FailOn, type FileRef, type Material, type NamedContent } from './diagnose/request.js';
/** The library's earlier name for the request. */
export type DiagnoseOptions = DiagnoseRequest;
export { evaluate } from './engine/evaluate.js';
export { rules } from '../rules/index.js';
export { MtlsDoctorError } from './errors.js';
export { explain, type ExplainOptions } from './explain/explain.js';
export type { Report, Finding, NotEvaluated, Verdict, Severity, Stage } from './report/types.js';
export type { EvidenceBundle } from './evidence/types.js';
export type { Thresholds } from './model/thresholds.js';
export { VERIFIERS, VERIFIER_IDS, type VerifierId } from './x509/verifiers.js';
export { CHECKS as VERIFIER_CHECKS } from '../rules/_kit/verifier-checks.js';
export { scan, scanExitCode, alertPack, type ScanRequest, type ScanDeps, type ScanResult } from './diagnose/scan.js';
export type { ScanReport, RotationStatus } from './fleet/types.js';
