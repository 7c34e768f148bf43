import type { Facts, FactName } from '../facts/types.js';
import type { SymptomFact } from '../facts/symptoms.js';
import type { EvidenceRef } from '../model/finding.js';
import type { RuleId } from '../model/rule-id.js';
import type { Severity, Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';

/**
 * One symptom a rule explains: the code (src/model/symptom.ts — a pasted signal `verify:expired-ca`, an alert
 * `alert:45` the peer sent or that was pasted, an Envoy counter `envoy:fail_verify_error`, a probe outcome
 * `probe:peer-rejected`), how strongly this rule accounts for it (0..1: `explain` ranks by it), and why, in one
 * sentence a person reads in `explain`'s output.
 */
export interface SymptomLink {
  symptom: SymptomCode;
  weight: number;
  why: string;
  /**
   * Where this reading holds, for pasted text: `mesh` — inside a service mesh (an Envoy SAN matcher, a CA
   * rotation), `off-mesh` — outside one (public CAs, hand-built servers), `tls` — only when the client was
   * speaking TLS. `explain` halves the weight when the paste shows the opposite context.
   */
  context?: 'mesh' | 'off-mesh' | 'tls';
}

/** How to confirm the rule's cause from a symptom alone (shown by `explain`), the next command, the fix. */
export interface RuleHint {
  /** What evidence would confirm it (a clause: "the leaf's Not After is in the past"). */
  confirm: string;
  /** The exact next command; `{pod}` is the pod whose certificate is in question. */
  next: string;
  /** The fix, in one line. */
  fix: string;
  /** Whose configuration is at fault when the symptom's direction does not say (default: the rejected side's). */
  subject?: 'local' | 'peer';
}

/**
 * Plain data describing a rule: printed by `mtls-doctor rules`, checked by the meta-test.
 *
 * Knowledge lives here, not in tables beside the rules: `explains` (which symptoms this rule accounts for, with
 * a weight and a why) and `hint` (confirm / next command / fix) feed the one symptom catalogue
 * (src/engine/catalogue.ts) that the probe, the Envoy stats, `explain` and `--symptom` all read. A rule with
 * `explains` must have a `hint`. A rule that reads an earlier rule's result (`ctx.earlier(id)`) lists that id
 * in `reads`; the engine refuses an undeclared or later id.
 */
export interface RuleMeta<M extends string = string> {
  /** `<stage>/<kebab-name>`, equal to the file path under `rules/` (add new ids to src/model/rule-id.ts). */
  id: RuleId;
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
  /** The symptoms this rule explains (see SymptomLink); none: no symptom points at it. */
  explains?: readonly SymptomLink[];
  /** How to confirm it from a symptom alone, and what to run next. Required with `explains`. */
  hint?: RuleHint;
  /** Earlier rules whose findings this one reads with `ctx.earlier(id, …)` (typed: a typo is a compile error). */
  reads?: readonly RuleId[];
  /**
   * Its findings forecast a failure (a certificate that will expire) rather than describe one happening now:
   * they make the verdict at-risk, never failing, whatever their severity (the exit code still follows --fail-on).
   */
  forecast?: boolean;
  /**
   * A catch-all: its findings say that something failed for a reason the evidence does not show ("the peer
   * rejected our certificate for a reason our evidence does not show"). The ranking never puts one above a
   * specific finding that is broken now on the side its subject names (`local`: our chain and CAs; `peer`: the
   * peer's), and counts it as explaining the symptom only when there is none.
   */
  catchAll?: boolean;
}

export interface ReportDescriptor<M extends string> {
  messageId: M;
  data?: Record<string, string | number>;
  evidence?: EvidenceRef[];
  /** `local`, `peer`, or a named CA; defaults to `local`. */
  subject?: string;
  severity?: Severity;
  confidence?: number;
  /** Id of the earlier rule whose finding this one is a consequence of (one of `meta.reads`). */
  causedBy?: RuleId | null;
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
  /** Did an earlier rule (one listed in `meta.reads`) report a finding, optionally about the given thing? */
  earlier(ruleId: RuleId, about?: string): boolean;
  /** What earlier rules found so far (plain summaries): lets a catch-all rule stay silent when one explains it. */
  earlierFindings(): ReadonlyArray<{ rule: RuleId; stage: Stage; subject: string; severity: Severity; causedBy: RuleId | null }>;
  /** Does this rule explain the symptom, by the symptom catalogue built from every rule's `meta.explains`? */
  explains(ruleId: RuleId, symptom: SymptomFact): boolean;
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
