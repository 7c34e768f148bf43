/**
 * The front door: everything a face (the CLI, the library, the demo, later serve and scan) needs, and the only
 * module under src/ besides src/report/ that faces import (test/architecture.test.ts holds that).
 */
export { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseDeps, type DiagnoseResult } from './diagnose.js';
export { planDiagnosis, type Plan } from './plan.js';
export { COLLECTION_FIELDS, EVALUATION_FIELDS, CLUSTER_FIELDS, FLAG, requestReadsFiles, type DiagnoseRequest, type FailOn, type FileRef, type Material, type NamedContent } from './request.js';
export { ruleCatalogue } from './catalogue.js';
export { serializeEvidence } from '../evidence/bundle.js';
export { fsReason } from '../collect/files.js';
export { checkExplainText, explainText } from '../explain/explain.js';
export { MAX_EXPLAIN_BYTES } from '../explain/decode.js';
export { startExample } from '../demo/example.js';
