/** The pasted-error face's entry (`mtls-doctor explain`): the explain pipeline, for faces to import from here. */
export { checkExplainText, explainText } from '../explain/explain.js';
export { MAX_EXPLAIN_BYTES } from '../explain/decode.js';
