/** The report types now live in src/model/ (the vocabulary every layer shares); re-exported here for compatibility. */
export { STAGES, SEVERITIES, type Stage, type Severity, type Verdict } from '../model/stage.js';
export type { EvidenceRef, Finding, NotEvaluated, Symptom, ReportCert, ReportChain, Report, Proven, DecidingStep } from '../model/finding.js';
