/** The one redactor, for the faces (error lines, chat answers): src/redact.ts. */
export { containsSecret, redact, redactDeep, REDACTED } from '../redact.js';
