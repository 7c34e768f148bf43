/**
 * Issue 21: a clone with nothing beside it passes `npm ci && npm test`, and reads as a repository of its own.
 * Nothing in it may send a reader or a test to the workspace's "shared" directory beside the clone (private notes
 * and suites a stranger does not have) except the
 * two places that read the full x509-limbo suite from beside the clone when it is there: .ci/run and
 * scripts/yardstick.mjs. Code comments cite the public document instead (Envoy or Istio docs, RFCs, a
 * verifier's source).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { LIMBO_EXTRACT, limboCases } from './support/limbo.js';

const MAY_MENTION_SHARED = new Set(['.ci/run', 'scripts/yardstick.mjs']);
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'tools']);

/** The repository's files: git's tracked and not-ignored files, or (no git) every file outside build output. */
function repoFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (git.status === 0 && git.stdout) return git.stdout.split('\0').filter(Boolean);
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((f) => {
      const p = dir ? `${dir}/${f}` : f;
      if (SKIP_DIRS.has(f)) return [];
      return statSync(join(ROOT, p)).isDirectory() ? walk(p) : [p];
    });
  return walk('');
}

/** The text of a file; a gzipped file is read unzipped. */
function text(file: string): string {
  const raw = readFileSync(join(ROOT, file));
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** The sibling directory "shared" by relative path, or a path built to it piece by piece (join(ROOT, DOTDOT, "shared")). */
const SHARED = /\.\.[\\/]shared\b|['"]\.\.['"]\s*,\s*['"]shared['"]/;

describe('a repository of its own', () => {
  it('names the shared directory beside the clone only in .ci/run and scripts/yardstick.mjs (tests, comments and docs included)', () => {
    const files = repoFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders = files
      .filter((f) => !MAY_MENTION_SHARED.has(f))
      .filter((f) => {
        try {
          if (statSync(join(ROOT, f)).isDirectory()) return false;
          return SHARED.test(text(f));
        } catch {
          return false; // a file listed by git but deleted in the work tree
        }
      });
    expect(offenders, 'cite the public document (Envoy/Istio docs, an RFC, the verifier source) instead').toEqual([]);
  });

  it('the check catches both spellings', () => {
    const up = '..';
    expect(SHARED.test(`see ${up}/shared/reference/envoy-istio-formats.md`)).toBe(true);
    expect(SHARED.test(`join(ROOT, '${up}', 'shared', 'yardsticks')`)).toBe(true);
    expect(SHARED.test(`src/shared/util.ts and ${up}/sharedness`)).toBe(false);
  });

  it('keeps the x509-limbo cases the tests use, with the licence and the revision they come from', () => {
    const named = new Set<string>();
    const namespaces = new Set([...limboCases().keys()].map((id) => id.split('::')[0]));
    for (const f of repoFiles().filter((f) => f.startsWith('test/') && f.endsWith('.ts'))) {
      for (const m of text(f).matchAll(/['"`]([a-z0-9-]+(?:::[A-Za-z0-9_.-]+)+)['"`]/g)) if (namespaces.has(m[1]!.split('::')[0])) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((id) => !limboCases().has(id)), 'regenerate: node scripts/limbo-extract.mjs SUITE').toEqual([]);
    const dir = relative(ROOT, join(LIMBO_EXTRACT, '..'));
    expect(text(`${dir}/LICENSE`)).toContain('Apache License');
    expect(text(`${dir}/README.md`)).toMatch(/C2SP\/x509-limbo.*\n?.*commit\s+`[0-9a-f]{40}`/);
    // No private key is committed: the suite's peer_certificate_key is dropped from every case.
    expect(text(relative(ROOT, LIMBO_EXTRACT))).not.toMatch(/PRIVATE KEY/);
    expect(statSync(LIMBO_EXTRACT).size, 'an extract, not the 8 MB suite').toBeLessThan(1_000_000);
  });

  it('commits no private key: test keys are generated at run time', () => {
    // A PEM private-key block as openssl, Node or ssh-keygen write one (built here so that this file holds none).
    const dashes = '-'.repeat(5);
    const block = new RegExp(`${dashes}BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY${dashes}`);
    expect(block.test(['', 'BEGIN EC PRIVATE KEY', '\nMHcCAQEE'].join(dashes))).toBe(true);
    expect(repoFiles().filter((f) => block.test(text(f)))).toEqual([]);
  });
});
