import { availableFacts, FACT_HINTS, type Facts } from '../facts/types.js';
import type { Verdict } from '../model/stage.js';
import type { EvidenceRef, Finding, NotEvaluated } from '../model/finding.js';
import type { RuleId } from '../model/rule-id.js';
import type { ReportDescriptor, Rule, RuleContext } from './define-rule.js';
import { docsUrl } from '../model/docs.js';
import type { SymptomFact } from '../facts/symptoms.js';
import { buildCatalogue, type SymptomCatalogue } from './catalogue.js';

/** A finding before ranking. */
export interface RawFinding extends Omit<Finding, 'rank'> {
  about: string | null;
  /** Position of the rule in the rule list (stable tie-break). */
  order: number;
  /** From the rule's meta: a forecast (something will break), not a failure now. */
  forecast: boolean;
  /** From the rule's meta: a catch-all, which never outranks a specific finding broken now on its side. */
  catchAll: boolean;
  /** When a forecast failure happens (ms); null for findings about now. */
  deadline: number | null;
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** Fills `{name}` placeholders; an unknown placeholder is a bug in the rule and throws. */
export function fillTemplate(template: string, data: Record<string, string | number>, ruleId: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in data)) throw new Error(`rule ${ruleId}: template placeholder {${name}} has no data`);
    return String(data[name]);
  });
}

export interface RunResult {
  findings: RawFinding[];
  notEvaluated: NotEvaluated[];
  evaluated: number;
}

/**
 * Runs the rules in list order (which is stage order). The engine, not the rule, decides
 * insufficient-evidence and not-applicable, and turns a throwing rule into a rule-error while the run
 * goes on.
 */
export function runRules(rules: readonly Rule[], facts: Facts, catalogue: SymptomCatalogue = buildCatalogue(rules)): RunResult {
  const have = availableFacts(facts);
  const position = new Map<RuleId, number>(rules.map((r, i) => [r.meta.id, i]));
  const findings: RawFinding[] = [];
  const notEvaluated: NotEvaluated[] = [];
  let evaluated = 0;
  rules.forEach((rule, order) => {
    const { meta } = rule;
    const missing = meta.requires.filter((r) => !have.has(r));
    if (missing.length > 0) {
      notEvaluated.push({ rule: meta.id, reason: 'insufficient-evidence', missing: missing.map((m) => FACT_HINTS[m]) });
      return;
    }
    const mine: RawFinding[] = [];
    const ctx: RuleContext = {
      facts,
      now: facts.now,
      earlier: (ruleId, about) => {
        // A rule reads only the earlier results it declares (meta.reads): the link is data, checked here.
        if (!meta.reads?.includes(ruleId)) throw new Error(`rule ${meta.id} reads ${ruleId} without listing it in meta.reads`);
        const at = position.get(ruleId);
        if (at !== undefined && at >= order) throw new Error(`rule ${meta.id} reads ${ruleId}, which does not run before it`);
        return findings.some((f) => f.rule === ruleId && (about === undefined || f.about === about));
      },
      explains: (ruleId, symptom) => catalogue.explains(ruleId, symptom),
      earlierFindings: () => findings.map((f) => ({ rule: f.rule, stage: f.stage, subject: f.subject, severity: f.severity, causedBy: f.causedBy })),
      report: (d: ReportDescriptor<string>) => mine.push(toRaw(rule, d, order)),
    };
    try {
      if (rule.applies && !rule.applies(ctx)) {
        notEvaluated.push({ rule: meta.id, reason: 'not-applicable', missing: [] });
        return;
      }
      rule.check(ctx);
      evaluated++;
      // One finding per rule and thing: a rule that loops over chains must not repeat itself.
      for (const f of mine) {
        if (!findings.some((g) => g.rule === f.rule && g.about !== null && g.about === f.about && g.subject === f.subject)) findings.push(f);
      }
    } catch (e) {
      notEvaluated.push({ rule: meta.id, reason: 'rule-error', missing: [], detail: e instanceof Error ? e.message : String(e) });
    }
  });
  return { findings, notEvaluated, evaluated };
}

function toRaw(rule: Rule, d: ReportDescriptor<string>, order: number): RawFinding {
  const { meta } = rule;
  const template = meta.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${meta.id}: unknown message id "${d.messageId}"`);
  const data = d.data ?? {};
  if (d.causedBy && !meta.reads?.includes(d.causedBy)) throw new Error(`rule ${meta.id}: causedBy ${d.causedBy} is not listed in meta.reads`);
  return {
    rule: meta.id,
    stage: meta.stage,
    subject: d.subject ?? 'local',
    severity: d.severity ?? meta.severity,
    confidence: d.confidence ?? meta.confidence ?? 0.9,
    explainsSymptom: false,
    title: fillTemplate(meta.title, data, meta.id),
    explanation: fillTemplate(template, data, meta.id),
    evidence: (d.evidence ?? []).map((e: EvidenceRef) => ({ source: e.source, detail: e.detail })),
    remediation: meta.remediation.map((r) => fillTemplate(r, data, meta.id)),
    verify: fillTemplate(meta.verify, data, meta.id),
    docs: docsUrl(meta.id),
    causedBy: d.causedBy ?? null,
    about: d.about ?? null,
    order,
    forecast: meta.forecast === true,
    catchAll: meta.catchAll === true,
    deadline: d.deadline ?? null,
  };
}

/**
 * Marks the findings that explain an observed symptom and raises their confidence: a finding that accounts
 * for what was actually seen is likelier the cause than one that merely holds. Consequences (`causedBy`)
 * are not marked: their cause is.
 */
export function corroborate(findings: RawFinding[], symptoms: SymptomFact[], catalogue: SymptomCatalogue): RawFinding[] {
  if (symptoms.length === 0) return findings;
  return findings.map((f) => {
    if (f.causedBy !== null) return f;
    const hit = symptoms.some((s) => catalogue.explains(f.rule, s) && (s.rejectedBy === 'unknown' || subjectFits(f.subject, s.rejectedBy)));
    return hit ? { ...f, explainsSymptom: true, confidence: Math.min(1, Math.round((f.confidence + (1 - f.confidence) * 0.6) * 100) / 100) } : f;
  });
}

/** The peer rejecting us is explained by our (local) certificates or CA; us rejecting the peer, by the peer's. */
function subjectFits(subject: string, rejectedBy: 'peer' | 'local'): boolean {
  return rejectedBy === 'peer' ? subject !== 'peer' : subject !== 'local';
}

/**
 * DESIGN.md's verdict: failing when a critical/error finding describes something broken now; at-risk for
 * warnings and forecasts (a CA expiring in 5 days is at-risk, whatever its severity).
 */
export function verdictOf(findings: ReadonlyArray<Pick<Finding, 'severity'> & { forecast?: boolean }>, evaluated: number): Verdict {
  if (findings.some((f) => (f.severity === 'critical' || f.severity === 'error') && !f.forecast)) return 'failing';
  if (findings.some((f) => f.severity === 'warning' || f.forecast)) return 'at-risk';
  if (evaluated === 0) return 'unknown';
  return 'healthy';
}
