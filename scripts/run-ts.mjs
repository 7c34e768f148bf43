// Runs a TypeScript entry point without a separate TS runtime: bundles it with esbuild (already a dev
// dependency for the build) into a temporary ESM file and imports it. Usage: node scripts/run-ts.mjs FILE [args]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args]');
  process.exit(2);
}
// Inside node_modules so that the bundle's external imports resolve against the project's dependencies.
mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'run-ts-'));
const out = join(dir, 'entry.mjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    absWorkingDir: process.cwd(),
  });
  process.argv = [process.argv[0], resolve(entry), ...rest];
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
