// Writes test/fixtures/x509-limbo/limbo-extract.json.gz: the x509-limbo cases the tests use, so `npm test` needs
// nothing outside the repository. The whole suite (about 8 MB gzipped) stays outside; `npm run yardstick` reads it.
//
//   node scripts/limbo-extract.mjs SUITE      (SUITE: limbo.json.gz or the directory holding it;
//                                              default $MTLS_DOCTOR_LIMBO)
//
// Kept: every case id quoted in a test file (a string such as 'rfc5280::san::underscore-dns'), and every case of
// the pathological namespace (cycles, 100-certificate chains, name-constraint blow-ups: the inputs that bound
// the chain search). Each case is kept whole except `peer_certificate_key`, which is set to null: no private
// key is committed (the tests never sign with it). Cases keep the suite's order; the gzip is reproducible.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test', 'fixtures', 'x509-limbo', 'limbo-extract.json.gz');

function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

const arg = process.argv[2] ?? process.env.MTLS_DOCTOR_LIMBO;
if (!arg) fail('usage: node scripts/limbo-extract.mjs SUITE (limbo.json.gz from https://github.com/C2SP/x509-limbo, or its directory)');
const base = resolve(arg);
const suiteFile = existsSync(base) && statSync(base).isFile() ? base : join(base, 'limbo.json.gz');
if (!existsSync(suiteFile)) fail(`Cannot read the x509-limbo suite: ${suiteFile} does not exist`);
const raw = readFileSync(suiteFile);
const suite = JSON.parse((suiteFile.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));

/** Case ids quoted in the test files: 'namespace::…' strings whose namespace is one of the suite's. */
function idsInTests() {
  const namespaces = new Set(suite.testcases.map((c) => c.id.split('::')[0]));
  const ids = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/['"`]([a-z0-9-]+(?:::[A-Za-z0-9_.-]+)+)['"`]/g)) {
          if (namespaces.has(m[1].split('::')[0])) ids.add(m[1]);
        }
      }
    }
  };
  walk(join(ROOT, 'test'));
  return ids;
}

const wanted = idsInTests();
const known = new Set(suite.testcases.map((c) => c.id));
const unknown = [...wanted].filter((id) => !known.has(id));
if (unknown.length) fail(`The tests name cases the suite does not have: ${unknown.join(', ')}`);
const testcases = suite.testcases
  .filter((c) => wanted.has(c.id) || c.id.startsWith('pathological::'))
  .map((c) => ({ ...c, peer_certificate_key: null }));
writeFileSync(OUT, gzipSync(JSON.stringify({ version: suite.version, testcases }, null, 1) + '\n', { level: 9 }));
process.stdout.write(`${relative(ROOT, OUT)}: ${testcases.length} cases (${wanted.size} named by tests, the rest pathological::)\n`);
