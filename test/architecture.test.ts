/**
 * Guards the layering (CONVENTIONS.md): a pure core (x509, facts, engine, rules, report) and I/O edges
 * (collect, probe, serve, cli). A boundary that a check holds stays a boundary.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|dgram|dns|child_process|cluster|worker_threads)$|^undici|^@kubernetes\/client-node/;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Static and dynamic import specifiers of a file (type-only imports excluded: they vanish at build). */
function imports(file: string): string[] {
  const src = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*import\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of src.matchAll(/^\s*export\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const resolveLocal = (file: string, spec: string) => relative(ROOT, resolve(join(ROOT, dirname(file)), spec)).replace(/\.js$/, '.ts');

describe('layering', () => {
  it('rules, the engine, facts and reports import no I/O module', () => {
    const bad: string[] = [];
    for (const f of [...files('rules'), ...files('src/engine'), ...files('src/facts'), ...files('src/report')]) {
      for (const spec of imports(f)) if (IO_MODULES.test(spec)) bad.push(`${f} imports ${spec}`);
    }
    expect(bad, 'keep I/O in src/collect, src/probe, src/cli (pass data in as evidence)').toEqual([]);
  });

  it('src/x509 imports nothing above it (only itself, src/errors.ts and the limits table)', () => {
    const bad: string[] = [];
    for (const f of files('src/x509')) {
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const target = resolveLocal(f, spec);
        if (!target.startsWith('src/x509/') && target !== 'src/errors.ts' && target !== 'src/limits.ts') bad.push(`${f} imports ${target}`);
      }
    }
    expect(bad, 'src/x509 is the bottom layer').toEqual([]);
  });

  it('rules read facts, not evidence or I/O layers', () => {
    const bad: string[] = [];
    for (const f of files('rules')) {
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const target = resolveLocal(f, spec);
        if (/^src\/(collect|probe|cli|serve|evidence)\//.test(target)) bad.push(`${f} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only the Kubernetes collector loads the Kubernetes client', () => {
    const bad = [...files('src'), ...files('rules')].filter((f) => imports(f).some((s) => s.startsWith('@kubernetes/client-node')) && !/^src\/collect\/kube/.test(f));
    expect(bad).toEqual([]);
  });
});

describe('vocabulary and knowledge (issue 8)', () => {
  const localImports = (dir: string) => files(dir).flatMap((f) => imports(f).filter((s) => s.startsWith('.')).map((s) => ({ f, target: resolveLocal(f, s) })));
  const RULE_ID = /['"`](expiry|chain|san|key-usage|transport|policy)\/[a-z][a-z0-9-]*['"`]/;

  it('facts import neither explain nor the rules, and name no rule id', () => {
    const bad = localImports('src/facts')
      .filter(({ target }) => /^src\/explain\//.test(target) || /^rules\//.test(target))
      .map(({ f, target }) => `${f} imports ${target}`);
    for (const f of files('src/facts')) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      for (const line of src.split('\n')) if (RULE_ID.test(line) && !/^\s*(\*|\/\/)/.test(line)) bad.push(`${f} names a rule: ${line.trim()}`);
    }
    expect(bad, 'facts say what was seen (symptom codes, src/model/symptom.ts); which rule explains it is the rules\' meta.explains').toEqual([]);
  });

  it('collect and probe do not import facts', () => {
    const bad = [...localImports('src/collect'), ...localImports('src/probe')].filter(({ target }) => /^src\/facts\//.test(target)).map(({ f, target }) => `${f} imports ${target}`);
    expect(bad, 'collectors produce evidence; facts are derived from it afterwards').toEqual([]);
  });

  it('the engine imports neither report nor explain (the pasted-text decoder is passed in), nor the rules', () => {
    // report: the engine's own imports. rules: followed through src/ (so src/explain/decode.ts, which reads
    // the rule catalogue, cannot slip in behind the --symptom deriver).
    const bad: string[] = [];
    const seen = new Set<string>();
    const walk = (f: string, via: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const s of imports(f)) {
        if (!s.startsWith('.')) continue;
        const target = resolveLocal(f, s);
        if ((f === via && /^src\/(report|explain)\//.test(target)) || /^rules\//.test(target)) bad.push(`${via} → ${f} imports ${target}`);
        else if (target.startsWith('src/')) walk(target, via);
      }
    };
    for (const f of files('src/engine')) walk(f, f);
    expect(bad, 'the engine runs the rules it is given; shared types live in src/model, rule helpers in rules/_kit').toEqual([]);
  });

  it('no symptom table outside the rules: nothing but rule meta maps a symptom to rule ids', () => {
    const bad: string[] = [];
    for (const f of [...files('src/facts'), ...files('src/explain'), ...files('src/probe'), ...files('src/collect'), ...files('src/engine')]) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      if (/explainedBy|causes:\s*\[\s*\{|RULE_HINTS|ALERT_EXPLAINERS|VERIFY_EXPLAINERS/.test(src)) bad.push(f);
    }
    expect(bad, 'put what a symptom means into the explaining rules\' meta.explains').toEqual([]);
  });

  it('nothing parses a rendered source label back', () => {
    const bad: string[] = [];
    for (const f of [...files('src'), ...files('rules')]) {
      if (f === 'src/report/source-label.ts') continue;
      const src = readFileSync(join(ROOT, f), 'utf8');
      for (const line of src.split('\n')) {
        if (/^\s*(\*|\/\/)/.test(line)) continue;
        if (/startsWith\(['"](envoy secret|peer )|\^envoy secret|\^peer |replace\(\/ #\\d\+\$\/|source\.split\(/.test(line)) bad.push(`${f}: ${line.trim()}`);
      }
    }
    expect(bad, 'read the typed Source (origin) instead of its label').toEqual([]);
  });
});

// Issue 8 (one front door): kept in its own block so that the vocabulary guards beside it merge cleanly.
describe('faces go through the front door', () => {
  /**
   * What a face may import from src/: the pipeline (src/diagnose/), the renderers, errors and the version, and
   * the entries of what is not a diagnosis: explain's pipeline, the demo, the evidence writer, the rotation
   * planner (`rotation plan`: the next step from a scan's rotation status), the redactor.
   */
  const FACE_ALLOWED = /^src\/((diagnose|report)\/[^/]+|explain\/explain|demo\/example|collect\/save-evidence|fleet\/rotation|errors|version|redact)\.ts$/;
  const FACES = ['src/cli', 'src/serve'].filter((d) => {
    try {
      return statSync(join(ROOT, d)).isDirectory();
    } catch {
      return false;
    }
  });

  it('faces (src/cli, src/serve) import only src/diagnose and src/report (and errors, version)', () => {
    expect(FACES).toContain('src/cli');
    const bad: string[] = [];
    for (const dir of FACES) {
      for (const f of files(dir)) {
        for (const spec of imports(f)) {
          if (!spec.startsWith('.')) continue;
          const target = resolveLocal(f, spec);
          if (target.startsWith(`${dir}/`)) continue;
          // The `serve` command starts the server face (its entry only; it gets the CLI's parser handed in).
          if (f === 'src/cli/yargs-main.ts' && target === 'src/serve/index.ts') continue;
          if (!FACE_ALLOWED.test(target)) bad.push(`${f} imports ${target}`);
        }
      }
    }
    expect(bad, 'a face builds a DiagnoseRequest and calls diagnose(); what else it needs is one of the entries above').toEqual([]);
  });

  it('nothing below the faces imports a face', () => {
    const bad: string[] = [];
    for (const f of [...files('src'), ...files('rules')].filter((x) => !FACES.some((d) => x.startsWith(`${d}/`)))) {
      for (const spec of imports(f)) {
        if (spec.startsWith('.') && FACES.some((d) => resolveLocal(f, spec).startsWith(`${d}/`))) bad.push(`${f} imports ${resolveLocal(f, spec)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the pipeline loads the probe, the proxy collectors, the demo and explain only when asked (dynamic imports)', () => {
    const bad: string[] = [];
    for (const f of ['src/diagnose/index.ts', 'src/diagnose/diagnose.ts', 'src/diagnose/plan.ts', 'src/diagnose/request.ts']) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      const statics = [...src.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const spec of statics) {
        const target = spec.startsWith('.') ? resolveLocal(f, spec) : spec;
        if (/^undici|^src\/(probe|demo|explain|serve)\/|^src\/collect\/(proxy|envoy-admin|http|kube)/.test(target)) bad.push(`${f} imports ${target} statically`);
      }
    }
    expect(bad, 'every start pays for a static import: load these with await import() where the plan needs them').toEqual([]);
  });

  it('the library entry point re-exports the one pipeline rather than building its own', () => {
    const src = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
    expect(src).toMatch(/export \{[^}]*\bdiagnose\b[^}]*\} from '\.\/diagnose\/diagnose\.js'/);
    expect(imports('src/index.ts').map((s) => resolveLocal('src/index.ts', s))).not.toContain('src/evidence/from-inputs.ts');
  });
});

// Issue 23 (floors held by where files live): every import, counted as TypeScript sees it, points down.
describe('floors held by where files live', () => {
  /**
   * Every local import of a file — static, dynamic (`import()`), type-only, `export … from` and side-effect
   * imports alike, comments and strings ignored: TypeScript's own pre-processor reads them.
   */
  const allImports = (file: string): string[] =>
    ts
      .preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveLocal(file, s));

  /**
   * The floors, lowest first: a file imports its own folder or a lower floor, never one beside or above it.
   * A type two floors share lives on the lower one; a folder's place is where its vocabulary is needed.
   */
  const FLOORS: string[][] = [
    ['src/errors.ts', 'src/limits.ts', 'src/version.ts', 'src/redact.ts'],
    ['src/model'], // the shared vocabulary: Source (its label is the report's), thresholds, docs links, rule ids
    ['src/x509'],
    ['src/evidence'], // the evidence model, its bundle, and the pure readers of what users hand in (secret JSON)
    ['src/facts'],
    ['src/engine'],
    // src/connection: workload classes and the connection judgement (rules passed in); src/fleet: the fleet's
    // aggregation over those judgements (the engine's verdictOf).
    ['rules', 'src/connection', 'src/fleet'],
    ['src/explain', 'src/report', 'src/collect', 'src/probe'],
    ['src/diagnose'], // the one pipeline
    ['src/demo'],
    ['src/cli', 'src/serve', 'src/index.ts'], // the faces
  ];
  /** Known arrows that do not point down, each with why it stays. */
  const EXCEPTIONS: Record<string, string> = {
    // The report names the sources and the target it judged; both are evidence types (type-only, no cycle).
    'src/model/finding.ts > src/evidence/types.ts': 'type-only',
    // The `serve` command starts the server face (its entry only); the face test above holds the rest.
    'src/cli/yargs-main.ts > src/serve/index.ts': 'entry',
  };
  const placeOf = (f: string): { floor: number; room: string } | undefined => {
    for (const [floor, rooms] of FLOORS.entries()) for (const room of rooms) if (f === room || f.startsWith(`${room}/`)) return { floor, room };
    return undefined;
  };
  const code = [...files('src'), ...files('rules')];

  it('every file of src/ and rules/ has a floor', () => {
    expect(code.filter((f) => !placeOf(f)), 'add its folder to FLOORS in test/architecture.test.ts').toEqual([]);
  });

  it('every import points to its own folder or a lower floor (type-only and dynamic imports too)', () => {
    const bad: string[] = [];
    for (const f of code) {
      const from = placeOf(f)!;
      for (const target of allImports(f)) {
        const to = placeOf(target);
        if (!to || to.room === from.room || to.floor < from.floor) continue;
        if (!EXCEPTIONS[`${f} > ${target}`]) bad.push(`${f} (floor ${from.floor}) imports ${target} (floor ${to.floor})`);
      }
    }
    expect(bad, 'move the shared piece down to the floor both need (CONVENTIONS.md: floors held by where files live)').toEqual([]);
  });

  it('src/fleet judges no certificate: it imports nothing from src/x509 or src/collect (issue 19: the rules judge, the fleet aggregates)', () => {
    const bad = files('src/fleet').flatMap((f) => allImports(f).filter((t) => /^src\/(x509|collect)\//.test(t)).map((t) => `${f} imports ${t}`));
    expect(bad, 'judge certificates with the rules (src/diagnose/fleet-model.ts), aggregate their findings in src/fleet').toEqual([]);
  });

  it('the named floors hold: thresholds and docs links in src/model, readers beside evidence, explain below the pipeline', () => {
    const arrow = (from: RegExp, to: RegExp) =>
      code.flatMap((f) => (from.test(f) ? allImports(f).filter((t) => to.test(t)).map((t) => `${f} imports ${t}`) : []));
    expect([
      ...arrow(/^src\/(evidence|facts|collect|probe|engine|fleet|x509|model)\//, /^src\/report\//), // labels are rendered from the typed Source
      ...arrow(/^src\/evidence\//, /^src\/(facts|collect|engine)\//), // thresholds (model), secret JSON (evidence), writing (collect)
      ...arrow(/^src\/explain\//, /^src\/diagnose\//), // explain's own checks live in src/explain
      ...arrow(/^src\/collect\//, /^src\/diagnose\//), // the cluster collector reads a FleetTarget, not the ScanRequest
    ]).toEqual([]);
    // docsUrl/docsCommand live in src/model/docs.ts, where the report and the engine both read them.
    expect(readFileSync(join(ROOT, 'src/engine/define-rule.ts'), 'utf8')).not.toMatch(/export (function|const) (docsUrl|docsCommand|DOCS_BASE)\b/);
    for (const gone of ['src/facts/thresholds.ts', 'src/collect/secret-json.ts', 'src/evidence/save.ts']) {
      expect(code, `${gone} moved to its floor`).not.toContain(gone);
    }
  });

  it('sources carry a typed origin and are labelled only in src/report (the pipeline hands the label down)', () => {
    const LABEL = 'src/report/source-label.ts';
    const bad: string[] = [];
    for (const f of code) {
      if (f.startsWith('src/report/')) continue;
      // The label function: src/report/source-label.ts's; only the pipeline (src/diagnose) imports it, to hand it
      // to the facts, the collectors and the connection judgement as a SourceLabel (src/model/source.ts).
      if (!f.startsWith('src/diagnose/') && allImports(f).includes(LABEL)) bad.push(`${f} imports ${LABEL}`);
      const src = readFileSync(join(ROOT, f), 'utf8');
      if (/\b(function|const|let)\s+sourceLabel\b|export\s*\{[^}]*\bsourceLabel\b[^}]*\}\s*from/.test(src)) bad.push(`${f} defines or re-exports sourceLabel`);
      // No label spelled by hand: the grammar only a rendered Source has (an Envoy secret's quoted name, Envoy's
      // /certs, a certificate's position appended to its source's label).
      for (const line of src.split('\n')) {
        if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue;
        if (/envoy secret "|['`]envoy \/certs|\$\{[^}]+\} #\$\{/.test(line)) bad.push(`${f}: ${line.trim()}`);
      }
    }
    expect(bad, 'name a source with the SourceLabel the pipeline hands down (src/report/source-label.ts renders it)').toEqual([]);
    // The label reads a typed Source: every kind of it, and nothing else.
    const label = readFileSync(join(ROOT, LABEL), 'utf8');
    const kinds = [...readFileSync(join(ROOT, 'src/model/source.ts'), 'utf8').matchAll(/\|\s*\{\s*kind:\s*'([a-z-]+)'/g)].map((m) => m[1]!);
    expect(kinds.length).toBeGreaterThan(5);
    for (const k of kinds.filter((k) => k !== 'pasted')) expect(label, `src/report/source-label.ts renders kind ${k}`).toContain(`s.kind === '${k}'`);
  });

  it('src/diagnose forwards nothing: no re-export from outside the folder', () => {
    const bad: string[] = [];
    for (const f of files('src/diagnose')) {
      const src = readFileSync(join(ROOT, f), 'utf8');
      for (const m of src.matchAll(/^\s*export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*from\s+['"]([^'"]+)['"]/gm)) {
        if (!resolveLocal(f, m[1]!).startsWith('src/diagnose/')) bad.push(`${f} re-exports ${m[1]}`);
      }
    }
    expect(bad, 'a face imports the module that owns the export (the face test lists the entries it may use)').toEqual([]);
  });

  it('no cycle among the files of src/ and rules/, counting static, dynamic and type-only imports', () => {
    const graph = new Map(code.map((f) => [f, allImports(f)]));
    // Tarjan's strongly connected components: any component of more than one file (or a file importing itself) is a cycle.
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[] = [];
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort().join(' ↔ '));
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(cycles, 'break a cycle by moving what both files need into a file of its own, on the lower floor').toEqual([]);
  });
});
