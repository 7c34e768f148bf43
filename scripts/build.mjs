// Bundles the CLI into lazily loaded chunks and the library into ESM, then warms V8 code caches.
//
// HOW A MODULE BECOMES A LAZY CHUNK: import it with a dynamic `await import('./x.js')` (as src/cli/main.ts
// does for yargs and the CLI's grammar (src/cli/yargs-main.ts: every line but the plain diagnose one), that
// grammar for the demo, src/cli/diagnose.ts for the probe and the proxy collectors, and as cluster mode
// (src/collect/kube/) and `serve` (src/serve/) must). Nothing to register here: esbuild's code splitting
// (ESM output) puts every module reachable only through a dynamic import, and the npm packages it pulls in
// (undici, @peculiar/x509, @kubernetes/client-node, prom-client), into chunks that are read only when that
// import runs; code shared by several such imports goes into shared chunks. A *static* import anywhere on
// the way from src/cli/main.ts puts the module on every start: test/build/chunks.test.ts fails when the
// files-only path loads undici, @peculiar/x509, the Kubernetes client, the server, yargs or > 600 KB of code.
//
// The ESM chunks are then rewritten to CommonJS (esbuild transform; import() becomes a require() inside a
// promise), because only CommonJS code can be compiled with a V8 code cache on Node 20 (no
// module.enableCompileCache there) and inside a single executable (whose require loads built-ins only).
// dist/cli.cjs carries a tiny loader (scripts/loader.cjs) that compiles each chunk with vm.Script and the
// `.v8cache` written beside it by warm-up runs of the CLI at the end of this build (`demo`, `diagnose` on
// files, `--help`). The caches are only accepted by the Node that wrote them: on any other Node the loader
// uses plain require() and that Node's own module.enableCompileCache() (Node 22.1+), if it has one.
//
// Output: dist/cli.cjs (the bin), dist/kubectl-mtls_doctor.cjs (the kubectl plugin) and
// dist/kubectl_complete-mtls_doctor.cjs (its shell completion), dist/help.json (each command's --help as the
// CLI prints it to a pipe, printed by the bin without loading the CLI), dist/chunks/*.cjs (+ .v8cache),
// dist/chunks.json (which source files and packages each chunk holds, its size: read by the tests and
// `npm run bench`; MTLS_DOCTOR_CHUNK_TRACE=FILE makes the bin list the chunks a run loaded), dist/index.js and
// dist/lib/ (the library).
//
// Usage: node scripts/build.mjs [--out DIR] [--warm-node PATH] [--cli-only]
//   --out DIR        write there instead of dist/ (npm run sea builds into dist/sea/app)
//   --warm-node PATH the Node that warms (and so owns) the code caches; default: this one
import { build, transform } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { FAST_WIDTH } from './fast-width.mjs';

const { values: opt } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, 'warm-node': { type: 'string' }, 'cli-only': { type: 'boolean', default: false } } });
const out = opt.out;
const warmNode = opt['warm-node'] ?? process.execPath;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const loaderSource = readFileSync(new URL('./loader.cjs', import.meta.url), 'utf8').replace(/^'use strict';\n/, '');
const chunksDir = join(out, 'chunks');
rmSync(chunksDir, { recursive: true, force: true });
rmSync(join(out, 'lib'), { recursive: true, force: true });
mkdirSync(chunksDir, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __MTLS_DOCTOR_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  legalComments: 'none',
  minifySyntax: true,
  minifyWhitespace: true,
  // Prefer packages' ESM builds: esbuild can drop what is never imported (the CJS builds keep everything).
  mainFields: ['module', 'main'],
  // The Kubernetes client's URL parser (whatwg-url, tr46) requires Node's punycode module, deprecated: on Node
  // 22+ every cluster diagnosis would print a DEP0040 warning. The npm package is the same code, undeprecated.
  alias: { punycode: 'punycode/punycode.js' },
};

// Packages whose module scope does expensive work at load although they are used only to render --help:
// string-width compiles Unicode property regexes and an Intl.Segmenter (~30 ms on every start), wrap-ansi
// builds ansi-styles' tables. Their default export is replaced by a stub that loads the real module on first
// call (esbuild initialises a module that is require()d lazily, at the require). string-width's stub answers
// by itself for text that is certainly one column a character (scripts/fast-width.mjs): its length.
const LAZY_DEFAULT_EXPORTS = { 'string-width': `if (typeof a[0] === "string" && (a[1] === undefined || a[1].ambiguousIsNarrow !== false) && ${FAST_WIDTH}.test(a[0])) return a[0].length;`, 'wrap-ansi': '' };
const lazyInit = {
  name: 'lazy-init',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(LAZY_DEFAULT_EXPORTS).join('|')})$`) }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-init', pluginData: { fast: LAZY_DEFAULT_EXPORTS[args.path] } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-init' }, (args) => ({
      contents: `let real; export default function lazy(...a) { ${args.pluginData?.fast ?? ''} real ??= require(${JSON.stringify(args.path)}).default; return real(...a); }`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const cli = build({
  ...common,
  plugins: [lazyInit],
  entryPoints: { 'mtls-doctor': 'src/cli/main.ts' },
  outdir: chunksDir,
  format: 'esm',
  splitting: true,
  chunkNames: '[name]-[hash]',
  metafile: true,
  write: false,
  // yargs reads import.meta.url to build a require(); each chunk that needs it gets a real one (below).
  define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
}).then(async (res) => {
  const manifest = {};
  for (const file of res.outputFiles) {
    const name = basename(file.path).replace(/\.js$/, '.cjs');
    let { code } = await transform(file.text, { format: 'cjs', loader: 'js', target: 'node20', supported: { 'dynamic-import': false }, minifySyntax: true, minifyWhitespace: true, logLevel: 'error' }); // (the bundling step already warned)
    code = code.replace(/require\("\.\/([\w.-]+)\.js"\)/g, 'require("./$1.cjs")');
    if (code.includes('__importMetaUrl')) code = 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' + code;
    writeFileSync(join(chunksDir, name), code);
    const meta = res.metafile.outputs[relative(process.cwd(), file.path)] ?? res.metafile.outputs[file.path];
    const inputs = Object.keys(meta?.inputs ?? {});
    manifest[name] = {
      bytes: Buffer.byteLength(code),
      entry: name === 'mtls-doctor.cjs',
      packages: [...new Set(inputs.map(packageOf).filter(Boolean))].sort(),
      sources: inputs.filter((i) => !i.includes('node_modules/')).sort(),
    };
  }
  writeFileSync(join(out, 'chunks.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
});

/** node_modules/@scope/name/… → @scope/name; node_modules/name/… → name (the innermost node_modules). */
function packageOf(input) {
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1] : undefined;
}

const lib = opt['cli-only']
  ? Promise.resolve()
  : // The library (package.json exports): ESM, split the same way (lazily imported modules in dist/lib/).
    build({
      ...common,
      entryPoints: { index: 'src/index.ts' },
      outdir: out,
      format: 'esm',
      splitting: true,
      chunkNames: 'lib/[name]-[hash]',
      banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    }).then(() => undefined);
await Promise.all([cli, lib]);

// The stamp of the Node that warms the caches: the bin trusts them only on that Node.
const stamp = spawnSync(warmNode, ['-p', 'process.version + " " + process.arch'], { encoding: 'utf8' }).stdout.trim();
if (!stamp) throw new Error(`build: cannot run ${warmNode}`);
writeFileSync(
  join(out, 'cli.cjs'),
  `#!/usr/bin/env node
'use strict';
// mtls-doctor: loads the CLI's chunks (scripts/build.mjs), with the V8 code caches written at build time by
// Node ${stamp}.
const fs = require('node:fs');
const path = require('node:path');
const dir = path.join(__dirname, 'chunks');
// \`--help\` and \`--version\` without loading the CLI, when the help goes to a pipe (no terminal, no COLUMNS:
// the CLI's output is then the same every time): the texts it printed so at build time (dist/help.json).
const args = process.argv.slice(2);
if (args.length > 0 && args.length <= 2 && !process.stdout.isTTY && process.env.COLUMNS === undefined && !process.env.MTLS_DOCTOR_NO_FAST_HELP && !/kubectl[-_]/.test(process.argv[1] || '')) {
  const last = args[args.length - 1];
  if (args.length === 1 && last === '--version') { process.stdout.write(${JSON.stringify(pkg.version + '\n')}); return; }
  if (last === '--help' || last === '-h') {
    let text;
    try { text = JSON.parse(fs.readFileSync(path.join(__dirname, 'help.json'), 'utf8'))[args.slice(0, -1).join(' ')]; } catch {}
    if (typeof text === 'string') { process.stdout.write(text); return; }
  }
}
${loaderSource}
let load;
if (process.version + ' ' + process.arch === ${JSON.stringify(stamp)} || process.env.MTLS_DOCTOR_WRITE_V8CACHE === '1') {
  load = makeLoader({
    dir,
    nativeRequire: require,
    read: (name) => fs.readFileSync(path.join(dir, name), 'utf8'),
    readCache: (name) => { try { return fs.readFileSync(path.join(dir, name + '.v8cache')); } catch { return undefined; } },
    writeCache: (name, data) => fs.writeFileSync(path.join(dir, name + '.v8cache'), data),
  });
} else {
  // Another Node: its own compile cache (Node 22.1+), if it has one.
  const Module = require('node:module');
  if (typeof Module.enableCompileCache === 'function') Module.enableCompileCache();
  load = (name) => require(path.join(dir, name));
  if (process.env.MTLS_DOCTOR_CHUNK_TRACE) {
    process.on('exit', () => {
      const names = Object.keys(require.cache).filter((f) => path.dirname(f) === dir).map((f) => path.basename(f));
      fs.writeFileSync(process.env.MTLS_DOCTOR_CHUNK_TRACE, names.join('\\n') + '\\nmode require\\n');
    });
  }
}
load('mtls-doctor.cjs').run();
`,
);
chmodSync(join(out, 'cli.cjs'), 0o755);
// The kubectl plugin and its shell completion are the same CLI under kubectl's names (src/cli/kubectl-plugin.ts
// tells them by the name).
for (const [name, what] of [
  ['kubectl-mtls_doctor.cjs', '`kubectl mtls-doctor …`: kubectl runs kubectl-mtls_doctor from PATH'],
  ['kubectl_complete-mtls_doctor.cjs', "kubectl's shell completion for `kubectl mtls-doctor …` (kubectl 1.26+ runs it)"],
]) {
  writeFileSync(join(out, name), `#!/usr/bin/env node\n'use strict';\n// ${what}: this is mtls-doctor by that name.\nrequire('./cli.cjs');\n`);
  chmodSync(join(out, name), 0o755);
}

// Pre-rendered help (see the bin): each command's --help as the CLI itself prints it to a pipe.
const help = {};
// The commands, as the CLI lists them for shell completion (so a new command is pre-rendered too).
const commands = spawnSync(warmNode, [join(out, 'cli.cjs'), '--get-yargs-completions', ''], { encoding: 'utf8' })
  .stdout.split('\n')
  .filter((w) => /^[a-z][\w-]*$/.test(w));
const pipedEnv = { ...process.env, MTLS_DOCTOR_NO_FAST_HELP: '1' };
delete pipedEnv.COLUMNS;
for (const cmd of ['', ...commands]) {
  const r = spawnSync(warmNode, [join(out, 'cli.cjs'), ...(cmd ? [cmd] : []), '--help'], { env: pipedEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0 && r.stdout) help[cmd] = r.stdout;
  else console.warn(`build: \`${cmd} --help\` exited ${r.status}; it is rendered at run time`);
}
writeFileSync(join(out, 'help.json'), JSON.stringify(help));

// Warm the caches. Each run writes the caches of the chunks it loaded, so the run that matters most for a
// chunk runs last: `--help`, then the demo (probe, demo PKI), then `diagnose` on PEM files (the main chunk).
const warmEnv = { ...process.env, MTLS_DOCTOR_WRITE_V8CACHE: '1', NO_COLOR: '1' };
const bin = join(out, 'cli.cjs');
const runWarm = (args) => {
  const r = spawnSync(warmNode, [bin, ...args], { env: warmEnv, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) console.warn(`build: warming the code cache with \`${args.join(' ')}\` exited ${r.status}; the CLI works without it\n${r.stderr}`);
  return r;
};
runWarm(['--help']);
runWarm(['demo', '-o', 'json']);
const tmp = mkdtempSync(join(tmpdir(), 'mtls-doctor-warm-'));
try {
  // A valid mesh chain as PEM files, made by the project's own issuer (src/x509/issue.ts, bundled for this).
  await build({ ...common, entryPoints: ['scripts/warm-pki.ts'], outfile: join(tmp, 'warm-pki.mjs'), format: 'esm', banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } });
  const gen = spawnSync(warmNode, [join(tmp, 'warm-pki.mjs'), tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (gen.status === 0) runWarm(['diagnose', '--chain', join(tmp, 'chain.pem'), '--key', join(tmp, 'key.pem'), '--trust', join(tmp, 'root.pem'), '--expect-id', 'spiffe://cluster.local/ns/a/sa/b', '-o', 'json']);
  else console.warn('build: could not make the warm-up PKI; the code cache lacks the files path');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
