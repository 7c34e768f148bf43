/**
 * Guards the layering (CONVENTIONS.md): a pure core (x509, facts, engine, rules, report) and I/O edges
 * (collect, probe, serve, cli). A boundary that a check holds stays a boundary.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
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
      if (f === 'src/model/source.ts') continue;
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
   * the entries of what is not a diagnosis: explain's pipeline, the demo, the evidence writer, the redactor.
   */
  const FACE_ALLOWED = /^src\/((diagnose|report)\/[^/]+|explain\/explain|demo\/example|collect\/save-evidence|errors|version|redact)\.ts$/;
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
          if (f === 'src/cli/main.ts' && target === 'src/serve/index.ts') continue;
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
