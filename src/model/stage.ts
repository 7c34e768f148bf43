/** The stages, in the order the engine runs them: expiry → chain → san → key-usage, then transport and policy. */
export const STAGES = ['expiry', 'chain', 'san', 'key-usage', 'transport', 'policy'] as const;
export type Stage = (typeof STAGES)[number];
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Verdict = 'healthy' | 'at-risk' | 'failing' | 'unknown';

/** The certificate stages: what a rejection that names no check can be about. */
export const CERT_STAGES: readonly Stage[] = ['expiry', 'chain', 'san', 'key-usage'];
