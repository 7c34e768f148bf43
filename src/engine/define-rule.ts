import type { Facts, FactName } from '../facts/types.js';
import type { EvidenceRef, Severity, Stage } from '../report/types.js';

/** Plain data describing a rule: printed by `mtls-doctor rules`, checked by the meta-test. */
export interface RuleMeta<M extends string = string> {
  /** `<stage>/<kebab-name>`, equal to the file path under `rules/`. */
  id: string;
  stage: Stage;
  /** Default severity; a report may raise or lower it (e.g. expiring → expired). */
  severity: Severity;
  title: string;
  /** One sentence: what the rule finds. */
  description: string;
  /** Facts the rule needs; missing ones make the engine record `insufficient-evidence`. */
  requires: readonly FactName[];
  /** The spec or doc sentence the rule enforces. */
  citation?: string;
  /** How sure a finding of this rule is, 0..1 (default 0.9). */
  confidence?: number;
  /** Explanation templates with `{placeholder}`s, by message id. */
  messages: Record<M, string>;
  /** Fix steps (templates, same data as the message). */
  remediation: readonly string[];
  /** A command that shows the fix worked (template). */
  verify: string;
  /**
   * Its findings forecast a failure (a certificate that will expire) rather than describe one happening now:
   * they make the verdict at-risk, never failing, whatever their severity (the exit code still follows --fail-on).
   */
  forecast?: boolean;
}

export interface ReportDescriptor<M extends string> {
  messageId: M;
  data?: Record<string, string | number>;
  evidence?: EvidenceRef[];
  /** `local`, `peer`, or a named CA; defaults to `local`. */
  subject?: string;
  severity?: Severity;
  confidence?: number;
  /** Id of the earlier rule whose finding this one is a consequence of. */
  causedBy?: string | null;
  /** What the finding is about (a certificate fingerprint, a chain): lets later rules link to it. */
  about?: string;
  /** When the forecast failure happens (ms): among forecasts, the sooner one ranks first. */
  deadline?: number;
}

export interface RuleContext<M extends string = string> {
  readonly facts: Facts;
  /** Evaluation time in ms: rules never read the clock. */
  readonly now: number;
  report(descriptor: ReportDescriptor<M>): void;
  /** Did an earlier rule (by id) report a finding, optionally about the given thing? */
  earlier(ruleId: string, about?: string): boolean;
  /** What earlier rules found so far (plain summaries): lets a catch-all rule stay silent when one explains it. */
  earlierFindings(): ReadonlyArray<{ rule: string; stage: Stage; subject: string; severity: Severity; causedBy: string | null }>;
}

export interface Rule<M extends string = string> {
  meta: RuleMeta<M>;
  /** False: the rule does not apply to this evidence (engine records `not-applicable`). */
  applies?(ctx: RuleContext<M>): boolean;
  check(ctx: RuleContext<M>): void;
}

/** Identity function that gives a rule its types: message ids are checked at compile time. */
export function defineRule<const M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

/**
 * Where a rule's docs live: docs/rules.md, shipped in the package (and in the repository), so the reference
 * resolves offline, wherever the tool was installed from. `mtls-doctor rules ID` prints the same section.
 */
export const DOCS_BASE = 'docs/rules.md';

/** The docs anchor of a rule id: `expiry/leaf-expired` → `docs/rules.md#expiry-leaf-expired`. */
export function docsUrl(id: string): string {
  return `${DOCS_BASE}#${id.replace('/', '-')}`;
}

/** The command that prints a rule's docs offline. */
export function docsCommand(id: string): string {
  return `mtls-doctor rules ${id}`;
}
