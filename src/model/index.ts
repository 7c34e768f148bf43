/** The vocabulary every layer shares: stages, severities, findings and the report, rule ids, symptom codes, sources. */
export * from './stage.js';
export * from './finding.js';
export * from './rule-id.js';
export * from './symptom.js';
export * from './source.js';
export * from './workload.js';
