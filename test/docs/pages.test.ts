/**
 * Issue 21: docs a newcomer can navigate. The README stays short; every relative link and anchor in it and in
 * docs/ resolves; every sample output in them is what the built CLI prints now (scripts/docs-samples.ts runs them
 * all again against the same stand-ins) and every generated table is current; each command's --help names its page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillGenerated, masked, runSamples, SAMPLE_BLOCK, SAMPLES, sampleIds } from '../../scripts/docs-samples.js';
import { ROOT, runCli } from '../support/cli.js';

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const STALE = 'run `npm run docs` (it builds, reruns every sample and rewrites the pages), then commit them';

/** The text outside fenced code blocks and inline code, line by line (links and headings live there). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, (m) => (m.includes('](') ? '' : m));
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped (not `-` or `_`), each space a hyphen. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Every anchor a page offers: its headings' slugs (a repeated one gets -1, -2, …) and explicit `<a id>`s. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n ? `${base}-${n}` : base);
    }
  }
  for (const m of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  return out;
}

describe('the README', () => {
  it('is read in five minutes: at most 250 lines', () => {
    const lines = read('README.md').split('\n').length;
    expect(lines, `README.md has ${lines} lines: move detail into its page under docs/`).toBeLessThanOrEqual(250);
  });

  it('gives the two quick-start commands and links a page for every job', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
    for (const p of ['diagnose', 'handshake', 'in-pod', 'cluster', 'fleet', 'rotation', 'explain', 'chat', 'metrics', 'library', 'install', 'json', 'limits', 'verifiers', 'x509-limbo', 'rules']) expect(readme).toContain(`(docs/${p}.md)`);
  });
});

describe('links', () => {
  it('every relative link in README.md and docs/*.md points at a file that exists, and every anchor at a heading or <a id>', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const [i, line] of prose(read(page)).entries()) {
        for (const m of line.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
          const target = m[1]!;
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
          const [path, anchor] = target.split('#') as [string, string | undefined];
          const file = path ? normalize(join(dirname(page), path)) : page;
          const where = `${page}:${i + 1} → ${target}`;
          if (relative(ROOT, join(ROOT, file)).startsWith('..')) broken.push(`${where}: outside the repository`);
          else if (!existsSync(join(ROOT, file))) broken.push(`${where}: no such file`);
          else if (anchor !== undefined && file.endsWith('.md') && !anchors(read(file)).has(anchor)) broken.push(`${where}: no heading or <a id> "${anchor}" in ${file}`);
          else if (anchor !== undefined && !file.endsWith('.md')) broken.push(`${where}: an anchor into a file that is not Markdown`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('every repository file a page names in code (`src/limits.ts`, `deploy/serve.yaml`) exists', () => {
    const missing: string[] = [];
    for (const page of PAGES) {
      for (const m of read(page).matchAll(/`((?:src|test|scripts|rules|deploy|bench|plugin)\/[\w./-]+\.(?:ts|mjs|cjs|yaml|json))`/g)) {
        if (!existsSync(join(ROOT, m[1]!))) missing.push(`${page}: ${m[1]}`);
      }
    }
    expect(missing, 'a file moved: update the page').toEqual([]);
  });

  it('the slugs are GitHub\'s', () => {
    expect(slug('Running it inside the pod (`--in-pod`)')).toBe('running-it-inside-the-pod---in-pod');
    expect(slug('From a workstation: `diagnose pod/NAME` (cluster mode)')).toBe('from-a-workstation-diagnose-podname-cluster-mode');
    expect(slug('What it refuses, and why')).toBe('what-it-refuses-and-why');
    expect(slug('The 3 AM example')).toBe('the-3-am-example');
  });
});

describe('generated docs', () => {
  it('every sample a page shows is defined, and every defined sample is shown', () => {
    const shown = new Set(PAGES.flatMap((p) => sampleIds(read(p))));
    const defined = new Set(SAMPLES.map((s) => s.id));
    expect([...shown].filter((id) => !defined.has(id)), 'samples no page can have: define them in scripts/docs-samples.ts').toEqual([]);
    expect([...defined].filter((id) => !shown.has(id)), 'samples no page shows').toEqual([]);
  });

  it('every generated table is current', () => {
    const stale = PAGES.filter((p) => fillGenerated(read(p)) !== read(p));
    expect(stale, `generated tables are stale in these pages: ${STALE}`).toEqual([]);
  });

  it('every sample output is what the built CLI prints now', async () => {
    const runs = await runSamples();
    const stale: string[] = [];
    for (const page of PAGES) {
      for (const m of read(page).matchAll(SAMPLE_BLOCK)) {
        const [, id, old] = m as unknown as [string, string, string];
        const now = runs.get(id)!;
        if (masked(old.replace(/\n$/, '')) !== masked(now)) {
          const a = old.split('\n');
          const b = now.split('\n');
          const at = a.findIndex((l, i) => masked(l) !== masked(b[i] ?? ''));
          stale.push(`${page} sample "${id}", line ${at + 1}:\n  page: ${a[at] ?? '(end)'}\n  CLI:  ${b[at] ?? '(end)'}`);
        }
      }
    }
    expect(stale.join('\n'), `samples differ from what the CLI prints: ${STALE}`).toBe('');
  }, 240_000);
});

describe('--help', () => {
  it.each([
    ['diagnose', 'docs/diagnose.md'],
    ['explain', 'docs/explain.md'],
    ['rules', 'docs/rules.md'],
    ['serve', 'docs/chat.md'],
    ['demo', 'README.md'],
    ['scan', 'docs/fleet.md'],
    ['rotation', 'docs/rotation.md'],
    ['alerts', 'docs/metrics.md'],
    ['completion', 'docs/install.md'],
  ])('%s --help names its page, %s, on one line', (cmd, page) => {
    const r = runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('Docs: '));
    expect(line, `${cmd} --help has no "Docs: …" line`).toBeDefined();
    expect(line).toContain(page);
    for (const named of line!.match(/[\w/.-]+\.md/g)!) expect(existsSync(join(ROOT, named)), named).toBe(true);
  });
});
