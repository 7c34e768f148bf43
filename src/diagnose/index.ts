/**
 * The front door: the one pipeline every face calls (the CLI, the library, the demo, later serve and scan).
 * Faces import the pipeline from here, and besides it only the entries test/architecture.test.ts lists (the
 * renderers, explain's entry, the demo, the evidence writer, the redactor), each from its own module, so that
 * importing the pipeline never loads the demo's PKI generator or the explain tables on the way (lazy chunks,
 * scripts/build.mjs).
 */
export { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseDeps, type DiagnoseResult } from './diagnose.js';
export { planDiagnosis, type Plan } from './plan.js';
export { COLLECTION_FIELDS, EVALUATION_FIELDS, CLUSTER_FIELDS, FLAG, HELP_GROUPS, REQUEST_FIELDS, argOf, type ChatField, type WebhookField, requestReadsFiles, type RequestField, type DiagnoseRequest, type FailOn, type FileRef, type Material, type NamedContent } from './request.js';
