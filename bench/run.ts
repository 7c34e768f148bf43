/**
 * `npm run bench`: cold start of `mtls-doctor diagnose` on PEM files and of `--help` as ratios to a bare
 * `node -e 0`, on Node 20 (this machine's) and Node 24 (tools/node24, with a build of its own) side by side in
 * one run (interleaved, medians of many runs: these machines are noisy), peak memory, the code the files path
 * loads and the image's payload. Issue 13's targets are printed beside each figure. Further sections
 * (bench/*.mjs exporting run()) are run after it. BENCH_RUNS sets the number of rounds (default 21).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MESH_ID, writeMeshChain } from '../scripts/warm-pki.js';

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

function timeOnce(node: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`bench: ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Bytes under a path (a file or a directory tree). */
function du(p: string): number {
  const st = statSync(p);
  return st.isDirectory() ? readdirSync(p).reduce((n, f) => n + du(join(p, f)), 0) : st.size;
}

const dir = mkdtempSync(join(tmpdir(), 'mtls-bench-'));
try {
  // A realistic mesh chain with pinned dates, evaluated at a pinned time.
  await writeMeshChain(dir, Date.parse('2026-11-29T03:00:00Z'));

  // Node 24 (tools/node24) gets a build of its own, warmed by it: the code caches belong to the Node that
  // wrote them (as in the image, whose build stage runs Node 24).
  const node24 = spawnSync('bash', [join(root, 'scripts', 'node24.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).stdout.trim();
  const dist24 = join(dir, 'dist24');
  if (!node24) throw new Error('bench: no Node 24 (scripts/node24.sh failed)');
  const b24 = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out', dist24, '--warm-node', node24, '--cli-only'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (b24.status !== 0) throw new Error('bench: the Node 24 build failed');
  const files = ['diagnose', '--chain', join(dir, 'chain.pem'), '--key', join(dir, 'key.pem'), '--trust', join(dir, 'root.pem'), '--expect-id', MESH_ID, '--at', '2026-11-29T03:00:00Z', '-o', 'json'];
  // A terminal of 80 columns, as the CLI sees it: there --help is rendered live (the bin prints the pre-rendered
  // text only to a pipe).
  const tty = join(dir, 'tty80.cjs');
  writeFileSync(tty, "Object.defineProperty(process.stdout, 'isTTY', { value: true }); Object.defineProperty(process.stdout, 'columns', { value: 80 });\n");
  const cases: { name: string; node: string; args: string[] }[] = [
    { name: 'node20 -e 0', node: process.execPath, args: ['-e', '0'] },
    { name: 'node20 diagnose (PEM files)', node: process.execPath, args: [cli, ...files] },
    { name: 'node20 --help', node: process.execPath, args: [cli, '--help'] },
    { name: 'node24 -e 0', node: node24, args: ['-e', '0'] },
    { name: 'node24 diagnose (PEM files)', node: node24, args: [join(dist24, 'cli.cjs'), ...files] },
    { name: 'node24 --help', node: node24, args: [join(dist24, 'cli.cjs'), '--help'] },
  ];
  cases.push({ name: 'node20 --help (80-col terminal)', node: process.execPath, args: ['--require', tty, cli, '--help'] });
  cases.push({ name: 'node24 --help (80-col terminal)', node: node24, args: ['--require', tty, join(dist24, 'cli.cjs'), '--help'] });
  const sea = join(root, 'dist', 'mtls-doctor');
  if (existsSync(sea)) cases.push({ name: 'single executable diagnose', node: sea, args: files });

  // Warm the file cache, then interleave so drift affects every case alike.
  for (const c of cases) timeOnce(c.node, c.args);
  const ms = cases.map(() => [] as number[]);
  for (let k = 0; k < RUNS; k++) cases.forEach((c, i) => ms[i]!.push(timeOnce(c.node, c.args)));
  const med = ms.map(median);
  const rssOf = (node: string, bin: string) => {
    const rssFile = join(dir, 'rss');
    const rss: number[] = [];
    for (let k = 0; k < 5; k++) {
      timeOnce(node, ['--require', join(root, 'bench', 'maxrss.cjs'), bin, ...files], { ...process.env, BENCH_RSS_FILE: rssFile });
      rss.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
    }
    return median(rss);
  };
  const ratio = (i: number, base: number) => med[i]! / med[base]!;
  const check = (ok: boolean) => (ok ? 'ok' : 'OVER');
  console.log(`cold start (${RUNS} interleaved runs of each, medians; ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}):`);
  cases.forEach((c, i) => console.log(`  ${c.name.padEnd(32)} ${med[i]!.toFixed(1).padStart(7)} ms`));
  const r20 = ratio(1, 0);
  const r24 = ratio(4, 3);
  const h20 = ratio(2, 0);
  const h24 = ratio(5, 3);
  console.log(`  diagnose / bare node, Node 24    ${r24.toFixed(2)}x   (target <= 2x: ${check(r24 <= 2)})`);
  console.log(`  diagnose / bare node, Node 20    ${r20.toFixed(2)}x   (target <= 1.6x: ${check(r20 <= 1.6)})`);
  console.log(`  --help / bare node, Node 24      ${h24.toFixed(2)}x   (to a pipe; target <= 1.3x: ${check(h24 <= 1.3)})`);
  console.log(`  --help / bare node, Node 20      ${h20.toFixed(2)}x   (to a pipe; target <= 1.3x: ${check(h20 <= 1.3)})`);
  console.log(`  --help at a terminal, Node 24    ${ratio(7, 3).toFixed(2)}x   (rendered live; Node 20: ${ratio(6, 0).toFixed(2)}x)`);
  if (cases.length > 8) console.log(`  single executable / bare Node 24 ${ratio(8, 3).toFixed(2)}x`);
  const rss20 = rssOf(process.execPath, cli);
  const rss24 = rssOf(node24, join(dist24, 'cli.cjs'));
  console.log(`  peak RSS, diagnose, Node 20      ${rss20.toFixed(1)} MB (median of 5; target <= 60 MB: ${check(rss20 <= 60)})`);
  console.log(`  peak RSS, diagnose, Node 24      ${rss24.toFixed(1)} MB (median of 5; target <= 60 MB: ${check(rss24 <= 60)})`);

  // Code the files path loads (the chunk trace against the build's manifest), and the image's payload.
  const trace = join(dir, 'trace');
  timeOnce(process.execPath, [cli, ...files], { ...process.env, MTLS_DOCTOR_CHUNK_TRACE: trace });
  const manifest = JSON.parse(readFileSync(join(root, 'dist', 'chunks.json'), 'utf8')) as Record<string, { bytes: number }>;
  const loaded = readFileSync(trace, 'utf8').split('\n').filter((n) => manifest[n]);
  const code = loaded.reduce((n, c) => n + manifest[c]!.bytes, 0);
  const total = Object.values(manifest).reduce((n, c) => n + c.bytes, 0);
  console.log(`  code loaded, diagnose on files   ${(code / 1000).toFixed(0)} KB in ${loaded.length} chunks of ${Object.keys(manifest).length} (${(total / 1000).toFixed(0)} KB in all; target <= 600 KB: ${check(code <= 600_000)})`);
  const payload = ['cli.cjs', 'kubectl-mtls_doctor.cjs', 'help.json', 'chunks', 'chunks.json'].reduce((n, f) => n + du(join(dist24, f)), du(join(root, 'package.json')));
  console.log(`  image payload besides Node       ${(payload / 1e6).toFixed(1)} MB (the Node 24 build with its caches; target <= 8 MB: ${check(payload <= 8e6)})`);

  for (const f of readdirSync(join(root, 'bench')).filter((x) => x.endsWith('.mjs')).sort()) {
    const mod = (await import(pathToFileURL(join(root, 'bench', f)).href)) as { run?: (o: { runs: number }) => Promise<unknown> };
    if (typeof mod.run !== 'function') continue;
    console.log(`\n${f}:`);
    console.log(JSON.stringify(await mod.run({ runs: Math.max(10, Math.floor(RUNS / 2)) }), null, 2));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
