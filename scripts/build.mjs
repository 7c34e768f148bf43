// Bundles the CLI and the library with esbuild. Why a bundle: loading @peculiar/x509 and yargs as ~40
// separate ESM modules costs ~240 ms at start; one CommonJS file (compiled lazily by V8) costs about half.
import { build } from 'esbuild';
import { readFileSync, mkdirSync, chmodSync } from 'node:fs';

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
};
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.cjs',
    format: 'cjs',
    // yargs reads import.meta.url to build a require(); give the bundle a real one.
    banner: { js: '#!/usr/bin/env node\nconst __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    define: { ...common.define, 'import.meta.url': '__importMetaUrl' },
  }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', format: 'esm', banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } }),
]);
chmodSync('dist/cli.cjs', 0o755);
