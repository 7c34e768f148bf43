/**
 * THE symptom catalogue: symptom code → the rules that explain it, with weight and why, built from every rule's
 * `meta.explains`. The engine marks findings `explainsSymptom` from it; `explain` ranks its likely causes from it;
 * the probe's and the Envoy stats' symptoms resolve through it. No table of meanings is written anywhere else.
 */
import type { RuleId } from '../model/rule-id.js';
import type { Stage } from '../model/stage.js';
import type { SymptomCode } from '../model/symptom.js';
import type { SymptomFact } from '../facts/symptoms.js';
import type { Rule, RuleMeta } from './define-rule.js';

export interface CatalogueEntry {
  rule: RuleId;
  stage: Stage;
  weight: number;
  why: string;
  meta: RuleMeta;
  context?: 'mesh' | 'off-mesh' | 'tls';
}

export interface SymptomCatalogue {
  /** The rules that explain a code, strongest first (ties: rule order). */
  of(code: SymptomCode): readonly CatalogueEntry[];
  /** Every code some rule explains. */
  codes(): SymptomCode[];
  /** Does the rule explain the symptom (one of its codes, or its stages when it names no check)? */
  explains(rule: RuleId, symptom: SymptomFact): boolean;
  /** The rules that explain a symptom, most telling code first. */
  explainers(symptom: SymptomFact): RuleId[];
}

export function buildCatalogue(rules: readonly Rule[]): SymptomCatalogue {
  const byCode = new Map<SymptomCode, CatalogueEntry[]>();
  const stageOf = new Map<RuleId, Stage>();
  rules.forEach(({ meta }) => {
    stageOf.set(meta.id, meta.stage);
    for (const e of meta.explains ?? []) {
      const list = byCode.get(e.symptom) ?? [];
      list.push({ rule: meta.id, stage: meta.stage, weight: e.weight, why: e.why, meta, ...(e.context ? { context: e.context } : {}) });
      byCode.set(e.symptom, list);
    }
  });
  for (const list of byCode.values()) list.sort((a, b) => b.weight - a.weight); // stable: rule order on ties
  const of = (code: SymptomCode) => byCode.get(code) ?? [];
  const explainers = (s: SymptomFact): RuleId[] => {
    const out = new Set<RuleId>();
    for (const code of s.means) for (const e of of(code)) out.add(e.rule);
    for (const stage of s.orStages ?? []) for (const [rule, st] of stageOf) if (st === stage) out.add(rule);
    return [...out];
  };
  return {
    of,
    codes: () => [...byCode.keys()],
    explains: (rule, s) => s.means.some((code) => of(code).some((e) => e.rule === rule)) || (s.orStages ?? []).includes(stageOf.get(rule)!),
    explainers,
  };
}
