/**
 * Keeps rules/index.ts, the rule files, their ids, their tests and their docs in step (after ESLint's
 * checkRuleFiles). Every failure message says how to fix it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { STAGES, SEVERITIES } from '../../src/report/types.js';
import { FACT_HINTS } from '../../src/facts/types.js';
import { RULE_IDS } from '../../src/model/rule-id.js';
import { renderRulesDoc, ruleAnchor } from '../../src/report/rules-doc.js';

const root = join(import.meta.dirname, '..', '..');
const ruleFiles = STAGES.flatMap((stage) =>
  existsSync(join(root, 'rules', stage)) ? readdirSync(join(root, 'rules', stage)).filter((f) => f.endsWith('.ts')).map((f) => `${stage}/${f.slice(0, -3)}`) : [],
);

describe('rule catalogue', () => {
  it('rules/index.ts lists exactly the files under rules/<stage>/', () => {
    const listed: string[] = rules.map((r) => r.meta.id).sort();
    const missing = ruleFiles.filter((f) => !listed.includes(f));
    const extra = listed.filter((id) => !ruleFiles.includes(id));
    expect(missing, `add these to rules/index.ts (in stage order): ${missing.join(', ')}`).toEqual([]);
    expect(extra, `rules/index.ts lists ids with no file rules/<id>.ts (rename the file or fix meta.id): ${extra.join(', ')}`).toEqual([]);
  });

  it('every rule id equals its path and its stage prefix', async () => {
    for (const file of ruleFiles) {
      const mod = (await import(join(root, 'rules', `${file}.ts`))) as { default?: { meta?: { id?: string; stage?: string } } };
      expect(mod.default?.meta?.id, `rules/${file}.ts must default-export defineRule({ meta: { id: '${file}' } })`).toBe(file);
      expect(mod.default?.meta?.stage, `rules/${file}.ts: meta.stage must be '${file.split('/')[0]}'`).toBe(file.split('/')[0]);
    }
  });

  it('src/model/rule-id.ts lists exactly the registered rule ids', () => {
    const listed = rules.map((r) => r.meta.id).sort();
    expect([...RULE_IDS].sort(), 'RULE_IDS (src/model/rule-id.ts) and rules/index.ts differ: add the new id to RULE_IDS').toEqual(listed);
  });

  it('a rule reads only earlier rules, and says so in meta.reads', () => {
    const order = rules.map((r) => r.meta.id);
    for (const { meta } of rules) {
      for (const id of meta.reads ?? []) expect(order.indexOf(id), `${meta.id} reads ${id}, which must run before it (rules/index.ts order)`).toBeLessThan(order.indexOf(meta.id));
      const src = readFileSync(join(root, 'rules', `${meta.id}.ts`), 'utf8');
      for (const m of src.matchAll(/ctx\.earlier\('([^']+)'/g)) expect(meta.reads ?? [], `rules/${meta.id}.ts calls ctx.earlier('${m[1]}'): list it in meta.reads`).toContain(m[1]);
    }
  });

  it('rules are listed in stage order, ids are unique', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size, 'duplicate rule ids in rules/index.ts').toBe(ids.length);
    const order = rules.map((r) => STAGES.indexOf(r.meta.stage));
    const firstOut = order.findIndex((s, i) => i > 0 && s < order[i - 1]!);
    expect(firstOut, `rules/index.ts must list rules in stage order (${STAGES.join(' → ')}); ${ids[firstOut]} is out of place`).toBe(-1);
  });

  it('every rule has a table test at test/rules/<id>.test.ts', () => {
    const untested = rules.map((r) => r.meta.id).filter((id) => !existsSync(join(root, 'test', 'rules', `${id}.test.ts`)));
    expect(untested, `write table tests (test/support/rule-tester.ts) for: ${untested.join(', ')}`).toEqual([]);
  });

  it('every rule has complete meta: title, description, messages, remediation, verify, known requirements', () => {
    for (const { meta } of rules) {
      const where = `rules/${meta.id}.ts`;
      expect(meta.title, `${where}: meta.title`).toMatch(/\S/);
      expect(meta.description, `${where}: meta.description`).toMatch(/\S/);
      expect(Object.keys(meta.messages).length, `${where}: meta.messages needs at least one message`).toBeGreaterThan(0);
      expect(meta.remediation.length, `${where}: meta.remediation needs at least one fix step`).toBeGreaterThan(0);
      expect(meta.verify, `${where}: meta.verify needs a command`).toMatch(/\S/);
      expect(SEVERITIES, `${where}: meta.severity`).toContain(meta.severity);
      for (const r of meta.requires) expect(Object.keys(FACT_HINTS), `${where}: unknown fact "${r}" in meta.requires`).toContain(r);
    }
  });

  it('docs/rules.md has an anchor per rule and is up to date', () => {
    const doc = readFileSync(join(root, 'docs', 'rules.md'), 'utf8');
    for (const { meta } of rules) expect(doc, `docs/rules.md lacks the anchor for ${meta.id}: run npm run docs`).toContain(`<a id="${ruleAnchor(meta.id)}"></a>`);
    expect(doc === renderRulesDoc(rules), 'docs/rules.md is stale: run npm run docs').toBe(true);
  });
});
