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
