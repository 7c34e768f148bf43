// `npm run sea`: the CLI as one linux-x64 executable (a Node 24 single-executable application), for containers
// that have no Node: `kubectl cp dist/mtls-doctor POD:/tmp/ -c istio-proxy`.
//
// 1. The pinned Node 24 (tools/node24, scripts/node24.sh) builds the CLI's chunks into dist/sea/app and warms
//    their V8 code caches, so the caches belong to the very Node the executable is made of.
// 2. The chunks and caches become the executable's assets; its main script is the chunk loader
//    (scripts/loader.cjs) reading them with node:sea getAsset() instead of the file system.
// 3. node --experimental-sea-config writes the blob; postject injects it into a copy of the Node 24 binary.
// 4. Smoke test: a copy in an empty temporary directory, with a PATH that holds no node, runs `--version`.
//
// Usage: node scripts/sea.mjs [--out FILE]   (default dist/mtls-doctor)
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { out: { type: 'string', default: 'dist/mtls-doctor' } } });
const out = resolve(opt.out);
const node24 = execFileSync('bash', ['scripts/node24.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const postject = resolve('tools/node24/node_modules/postject/dist/cli.js');
const work = resolve('dist/sea');
const app = join(work, 'app');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const step = (what) => console.log(`sea: ${what}`);

step(`building the chunks with ${node24}`);
execFileSync(process.execPath, ['scripts/build.mjs', '--out', app, '--warm-node', node24, '--cli-only'], { stdio: 'inherit' });

const assets = {};
for (const f of readdirSync(join(app, 'chunks'))) assets[f] = join(app, 'chunks', f);
const loader = readFileSync('scripts/loader.cjs', 'utf8').replace(/^'use strict';\n/, '');
writeFileSync(
  join(work, 'main.cjs'),
  `'use strict';
// mtls-doctor as a single executable: the chunks and their V8 code caches are assets of this binary.
const sea = require('node:sea');
const path = require('node:path');
const dir = path.join(path.dirname(process.execPath), 'mtls-doctor-chunks');
${loader}
const load = makeLoader({
  dir,
  nativeRequire: require,
  read: (name) => sea.getAsset(name, 'utf8'),
  readCache: (name) => { try { return Buffer.from(sea.getAsset(name + '.v8cache')); } catch { return undefined; } },
  writeCache: () => undefined,
});
load('mtls-doctor.cjs').run();
`,
);
const blob = join(work, 'sea-prep.blob');
writeFileSync(join(work, 'sea-config.json'), JSON.stringify({ main: join(work, 'main.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, assets }, null, 1));
step('writing the blob');
execFileSync(node24, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });

step(`injecting it into a copy of Node ${execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim()}`);
rmSync(out, { force: true });
copyFileSync(node24, out);
chmodSync(out, 0o755);
// (postject prints a page of harmless LIEF warnings about ELF note sections: shown only if it fails.)
const inject = spawnSync(process.execPath, [postject, out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { encoding: 'utf8' });
if (inject.status !== 0) throw new Error(`sea: postject failed (exit ${inject.status})\n${inject.stdout}${inject.stderr}`);

// The krew archive and manifest: the same executable, named as kubectl looks for plugins.
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const stage = join(work, 'krew');
mkdirSync(stage, { recursive: true });
copyFileSync(out, join(stage, 'kubectl-mtls_doctor'));
chmodSync(join(stage, 'kubectl-mtls_doctor'), 0o755);
const archive = join(dirname(out), 'kubectl-mtls_doctor-linux-amd64.tar.gz');
execFileSync('tar', ['-czf', archive, '-C', stage, 'kubectl-mtls_doctor']);
const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
mkdirSync(join(dirname(out), 'krew'), { recursive: true });
const manifest = readFileSync('plugin/krew-mtls-doctor.yaml', 'utf8')
  .replaceAll('{{VERSION}}', pkg.version)
  .replaceAll('{{SHA256}}', sha256)
  .replaceAll('{{HOMEPAGE}}', process.env.MTLS_DOCTOR_HOMEPAGE ?? '{{HOMEPAGE}}')
  .replaceAll('{{RELEASE_BASE}}', process.env.MTLS_DOCTOR_RELEASE_BASE ?? '{{RELEASE_BASE}}');
writeFileSync(join(dirname(out), 'krew', 'mtls-doctor.yaml'), manifest);
step(`krew: ${archive} (sha256 ${sha256.slice(0, 12)}…), ${join(dirname(out), 'krew', 'mtls-doctor.yaml')}`);

// Smoke test: no node_modules, no node on PATH.
const tmp = mkdtempSync(join(tmpdir(), 'mtls-doctor-sea-'));
try {
  copyFileSync(out, join(tmp, 'mtls-doctor'));
  chmodSync(join(tmp, 'mtls-doctor'), 0o755);
  const r = spawnSync(join(tmp, 'mtls-doctor'), ['--version'], { cwd: tmp, env: { PATH: join(tmp, 'empty'), HOME: tmp }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sea: the executable does not run: exit ${r.status}\n${r.stderr}`);
  step(`${out} (${(statSync(out).size / 1e6).toFixed(0)} MB, linux-x64): mtls-doctor ${r.stdout.trim()}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
