/**
 * What each path of the built CLI loads (scripts/build.mjs splits it into chunks; dist/chunks.json says what
 * each holds). The files-only `diagnose` must not load undici, @peculiar/x509 (and its ASN.1 stack), the
 * Kubernetes client, the server or prom-client, and at most 630 KB of code: a static import that drags one in
 * fails here. The demo and the proxy collectors are run too, so that the trace is shown to see those chunks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh, NOW, WEB_ID } from '../support/pki.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

interface Chunk {
  bytes: number;
  entry: boolean;
  packages: string[];
  sources: string[];
}
const DIST = join(ROOT, 'dist');
const manifest = (): Record<string, Chunk> => JSON.parse(readFileSync(join(DIST, 'chunks.json'), 'utf8'));

/** Packages and source folders the files path must never load. */
const LAZY_PACKAGES = [/^undici$/, /^@peculiar\//, /^asn1js$/, /^reflect-metadata$/, /^tsyringe$/, /^@kubernetes\//, /^prom-client$/];
const LAZY_SOURCES = [/^src\/collect\/kube\//, /^src\/serve\//, /^src\/collect\/http\.ts$/, /^src\/x509\/issue\.ts$/];
// 620 KB since issue 15: the redactor, the limits table and the argument checks run on every diagnosis (+8 KB).
// 630 KB since issue 24: what each TLS stack's alerts mean, in the rules' meta, and the stack and CA-name readers
// the facts run on a probe's evidence (+15 KB, measured 611 → 627 KB).
// 660 KB since issues 20 and 24 met on main (measured 660.7 KB there): the rules' symptom links for pasted text and
// four transport/policy rules; explain's text renderer is now loaded only by explain (measured 657.8 KB).
// 664 KB once i19conn (connections both ways) joined them on main: measured 663.4 KB.
// 661 KB since issue 22, which asked 600 KB back and did not get there: the rule-docs renderer, explain's runner
// and the markdown/Slack renderers are imported only by the runs that use them, against +2.8 KB of per-profile
// chain limits (measured 663.6 → 660.0 KB with main at 3a99b19). What is left is mostly yargs (~170 KB with its
// width tables, loaded to parse any command) and every rule's meta and check.
// 663 KB with issue 25's rotation drill: its flags, examples and help live in the rotation command that every run
// parses (its code, the simulation and the renderers load only when it runs): measured 662.6 KB.
const FILES_PATH_BUDGET = 663_000;

const tmp = tempDir('mtls-doctor-chunks-');
let files: { chain: string; trust: string; key: string };
beforeAll(async () => {
  const m = await mesh();
  files = { chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem), trust: tmp.file('root.pem', m.root.pem), key: tmp.file('key.pem', await m.leaf.keyPem()) };
});
afterAll(() => tmp.cleanup());

/** Runs the built CLI with the chunk trace on; returns the chunks it loaded and whether it kept a code cache. */
function loadedBy(args: string[], env: Record<string, string> = {}): { chunks: string[]; mode?: string; rejected: string[]; code: number | null; stderr: string } {
  const trace = join(tmp.dir, `trace-${Math.random().toString(36).slice(2)}`);
  const r = runCli(args, { env: { MTLS_DOCTOR_CHUNK_TRACE: trace, ...env } });
  const lines = existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n').filter(Boolean) : [];
  const chunks = lines.filter((l) => !/^(rejected-cache|mode) /.test(l));
  return { chunks, mode: lines.find((l) => l.startsWith('mode '))?.slice(5), rejected: lines.filter((l) => l.startsWith('rejected-cache ')).map((l) => l.slice(15)), code: r.code, stderr: r.stderr };
}

const packagesOf = (chunks: string[]) => chunks.flatMap((c) => manifest()[c]?.packages ?? []);
const sourcesOf = (chunks: string[]) => chunks.flatMap((c) => manifest()[c]?.sources ?? []);

describe.skipIf(!!process.env.MTLS_DOCTOR_BIN)('the built CLI chunks', () => {
  it('the manifest lists every chunk on disk, one entry chunk', () => {
    const m = manifest();
    expect(Object.values(m).filter((c) => c.entry)).toHaveLength(1);
    for (const name of Object.keys(m)) expect(existsSync(join(DIST, 'chunks', name)), name).toBe(true);
    // The packages the files path must not load are in the build at all (else this test proves nothing).
    const all = Object.values(m).flatMap((c) => c.packages);
    expect(all).toContain('undici');
    expect(all).toContain('@peculiar/x509');
  });

  it('diagnose on PEM files loads neither undici, @peculiar/x509, the Kubernetes client nor the server, and <= 663 KB', () => {
    const r = loadedBy(['diagnose', '--chain', files.chain, '--key', files.key, '--trust', files.trust, '--expect-id', WEB_ID, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.chunks[0]).toBe('mtls-doctor.cjs');
    const pkgs = packagesOf(r.chunks);
    expect(pkgs).toContain('yargs');
    for (const p of LAZY_PACKAGES) expect(pkgs.filter((x) => p.test(x)), `files path loads ${p}`).toEqual([]);
    for (const s of LAZY_SOURCES) expect(sourcesOf(r.chunks).filter((x) => s.test(x)), `files path loads ${s}`).toEqual([]);
    const bytes = r.chunks.reduce((n, c) => n + manifest()[c]!.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(FILES_PATH_BUDGET);
    // The build's warm-up left a code cache for every chunk this path loads, and this Node (npm test builds
    // with it) loads the chunks with them and accepts them.
    expect(r.mode).toBe('vm');
    for (const c of r.chunks) expect(existsSync(join(DIST, 'chunks', `${c}.v8cache`)), `${c} has no code cache`).toBe(true);
    expect(r.rejected).toEqual([]);
  });

  it('the demo loads the certificate generator (@peculiar/x509) and the probe only when it runs', () => {
    const r = loadedBy(['demo', '-o', 'json']);
    expect([0, 1]).toContain(r.code);
    expect(packagesOf(r.chunks)).toContain('@peculiar/x509');
    expect(sourcesOf(r.chunks)).toContain('src/probe/handshake.ts');
    expect(packagesOf(r.chunks)).not.toContain('undici');
  });

  it('the proxy collectors load undici', () => {
    const r = loadedBy(['diagnose', '--envoy-admin', 'http://127.0.0.1:1', '--proxy-root', tmp.dir], { MTLS_DOCTOR_NO_AUTODETECT: '' });
    expect(r.code).toBe(3);
    expect(packagesOf(r.chunks)).toContain('undici');
    expect(packagesOf(r.chunks)).not.toContain('@peculiar/x509');
  });

  it('--help and --version load only the entry chunk and the code it needs', () => {
    const r = loadedBy(['--version'], { MTLS_DOCTOR_NO_FAST_HELP: '1' }); // else the bin answers alone
    expect(r.chunks[0]).toBe('mtls-doctor.cjs');
    expect(r.code).toBe(0);
    expect(packagesOf(r.chunks).filter((p) => LAZY_PACKAGES.some((re) => re.test(p)))).toEqual([]);
  });
});
