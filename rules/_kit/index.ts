/**
 * The rule kit: helpers that rules share, kept beside the rules (as ESLint keeps lib/rules/utils) so the
 * engine holds nothing domain-specific. Pure: no I/O, no clock.
 *
 * Writing a rule (see also src/engine/define-rule.ts, whose JSDoc documents every meta field):
 * - `meta.explains: [{ symptom, weight, why }]` — the symptom codes (src/model/symptom.ts) the rule accounts
 *   for; the one symptom catalogue is built from these. With `explains`, give `meta.hint` { confirm, next, fix }.
 * - `meta.reads: [ruleId]` — earlier rules whose findings `ctx.earlier()` or `causedBy` name.
 * - Verify commands come from `x509Of(cert)` / `fileOf(cert)` (commands.ts): never a placeholder file name.
 */
export * from './format.js';
export * from './commands.js';
export * from './ca.js';
export * from './eku.js';
