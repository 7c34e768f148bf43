// Bundles the CLI and the library with esbuild, then gives the CLI a V8 code cache.
//
// Why: at start, importing @peculiar/x509 and yargs as ~40 separate ESM modules costs ~240 ms on this
// machine against ~50 ms for a bare `node -e 0`. One CommonJS bundle (compiled lazily by V8) costs about
// half that, and a code cache made at build time (Node 20 has no module.enableCompileCache) saves most of
// the remaining compile work. The cache is only an accelerator: if V8 rejects it (another Node version or
// flags), the bundle is compiled as usual.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
mkdirSync('dist', { recursive: true });
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
};
// Cluster mode (src/collect/kube/, with @kubernetes/client-node) is its own chunk, loaded only by
// `diagnose pod/NAME`: the CLI and library bundles import it as an external file, so `diagnose` on files never
// parses it (client-node costs ~150 ms to load even bundled).
const KUBE_CHUNK = 'mtls-doctor-kube.cjs';
const kubeChunk = {
  name: 'kube-chunk',
  setup(b) {
    b.onResolve({ filter: /collect\/kube\/index\.js$/ }, (args) => (/[\\/]collect[\\/]kube[\\/]/.test(args.importer) ? undefined : { path: `./${KUBE_CHUNK}`, external: true }));
  },
};
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/collect/kube/index.ts'],
    outfile: `dist/${KUBE_CHUNK}`,
    format: 'cjs',
    banner: { js: 'const __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  }),
  build({
    ...common,
    plugins: [kubeChunk],
    // The CLI runs inside vm.Script (dist/cli.cjs), where import() has no loader: load the chunk with require().
    supported: { 'dynamic-import': false },
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/mtls-doctor.cjs',
    format: 'cjs',
    // yargs reads import.meta.url to build a require(); give the bundle a real one.
    banner: { js: 'const __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  }),
  build({ ...common, plugins: [kubeChunk], entryPoints: ['src/index.ts'], outfile: 'dist/index.js', format: 'esm', banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } }),
]);

writeFileSync(
  'dist/cli.cjs',
  `#!/usr/bin/env node
'use strict';
// mtls-doctor: loads the bundle with the V8 code cache written at build time (scripts/build.mjs).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const file = path.join(__dirname, 'mtls-doctor.cjs');
const cacheFile = file + '.v8cache';
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, __dirname);
if (process.env.MTLS_DOCTOR_WRITE_V8CACHE === '1') {
  process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
}
mod.exports.run();
`,
);
chmodSync('dist/cli.cjs', 0o755);

// Warm the cache on the built-in example, so it holds the functions a diagnosis compiles.
rmSync('dist/mtls-doctor.cjs.v8cache', { force: true });
const warm = spawnSync(process.execPath, ['dist/cli.cjs', 'demo', '-o', 'json'], { env: { ...process.env, MTLS_DOCTOR_WRITE_V8CACHE: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
if (warm.status !== 0) console.warn(`build: warming the code cache exited ${warm.status}; the CLI works without it`);
