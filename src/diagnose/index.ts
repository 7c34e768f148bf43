/**
 * The front door: the one pipeline every face calls (the CLI, the library, the demo, later serve and scan).
 * Faces import only src/diagnose/ and src/report/ (test/architecture.test.ts holds that). What a face needs
 * besides the pipeline has its own module here (explain.ts, catalogue.ts, example.ts), so that importing the
 * pipeline never loads the demo's PKI generator or the explain tables on the way (lazy chunks, scripts/build.mjs).
 */
export { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseDeps, type DiagnoseResult } from './diagnose.js';
export { planDiagnosis, type Plan } from './plan.js';
export { COLLECTION_FIELDS, EVALUATION_FIELDS, CLUSTER_FIELDS, FLAG, requestReadsFiles, type DiagnoseRequest, type FailOn, type FileRef, type Material, type NamedContent } from './request.js';
export { serializeEvidence } from '../evidence/bundle.js';
export { saveEvidence, writeRegularFile } from '../collect/save-evidence.js';
export { fsReason } from '../collect/files.js';
