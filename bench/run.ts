/**
 * `npm run bench`: cold start of `mtls-doctor diagnose` on PEM files as a ratio to a bare `node -e 0`,
 * measured side by side in one run (interleaved, median of many runs: these machines are noisy), and peak
 * memory. Further sections (bench/*.mjs exporting run()) are run after it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { issue } from '../src/x509/issue.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
// npm runs scripts from the project root (this file is bundled to a temporary location first).
const root = process.cwd();
const cli = join(root, 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  console.error('bench: dist/cli.cjs is missing; run npm run build');
  process.exit(2);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function timeOnce(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`bench: ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'mtls-bench-'));
try {
  // A realistic mesh chain with pinned dates, evaluated at a pinned time.
  const day = 86_400_000;
  const at = Date.parse('2026-11-29T03:00:00Z');
  const r = await issue({ subject: 'O=cluster.local, CN=Root', notBefore: new Date(at - 365 * day), notAfter: new Date(at + 3000 * day), ca: true });
  const i = await issue({ subject: 'O=cluster.local, CN=Intermediate', notBefore: new Date(at - 100 * day), notAfter: new Date(at + 300 * day), ca: true, issuer: r });
  const l = await issue({ subject: '', notBefore: new Date(at - 3600_000), notAfter: new Date(at + 23 * 3600_000), issuer: i, uris: ['spiffe://cluster.local/ns/a/sa/b'], eku: ['serverAuth', 'clientAuth'] });
  writeFileSync(join(dir, 'chain.pem'), l.pem + i.pem);
  writeFileSync(join(dir, 'root.pem'), r.pem);
  writeFileSync(join(dir, 'key.pem'), await l.keyPem(), { mode: 0o600 });
  const diagnoseArgs = [cli, 'diagnose', '--chain', join(dir, 'chain.pem'), '--key', join(dir, 'key.pem'), '--trust', join(dir, 'root.pem'), '--expect-id', 'spiffe://cluster.local/ns/a/sa/b', '--at', '2026-11-29T03:00:00Z', '-o', 'json'];

  // Warm the file cache, then interleave so drift affects both sides alike.
  timeOnce(['-e', '0']);
  timeOnce(diagnoseArgs);
  const bare: number[] = [];
  const diag: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    bare.push(timeOnce(['-e', '0']));
    diag.push(timeOnce(diagnoseArgs));
  }
  const rssFile = join(dir, 'rss');
  const rss: number[] = [];
  for (let k = 0; k < 5; k++) {
    timeOnce(['--require', join(root, 'bench', 'maxrss.cjs'), ...diagnoseArgs], { ...process.env, BENCH_RSS_FILE: rssFile });
    rss.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
  }
  const ratio = median(diag) / median(bare);
  console.log(`cold start (${RUNS} interleaved runs each, medians):`);
  console.log(`  node -e 0                          ${median(bare).toFixed(1)} ms`);
  console.log(`  mtls-doctor diagnose (PEM files)   ${median(diag).toFixed(1)} ms`);
  console.log(`  ratio                              ${ratio.toFixed(2)}x   (target <= 2.5x)`);
  console.log(`  peak RSS, diagnose                 ${median(rss).toFixed(1)} MB (median of ${rss.length}; target <= 80 MB)`);

  for (const f of readdirSync(join(root, 'bench')).filter((x) => x.endsWith('.mjs')).sort()) {
    const mod = (await import(pathToFileURL(join(root, 'bench', f)).href)) as { run?: (o: { runs: number }) => Promise<unknown> };
    if (typeof mod.run !== 'function') continue;
    console.log(`\n${f}:`);
    console.log(JSON.stringify(await mod.run({ runs: Math.max(10, Math.floor(RUNS / 2)) }), null, 2));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
