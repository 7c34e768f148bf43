#!/usr/bin/env node
/**
 * Builds the lab's Go and rustls peers (test/lab/peers/go, test/lab/peers/rustls) once per source: the binary
 * is cached under node_modules/.cache/mtls-doctor-lab-peers/NAME-HASH (or $MTLS_DOCTOR_LAB_CACHE), HASH covering the sources and the
 * toolchain's version, so a second run (or CI's second test pass) reuses it. rustls builds offline against
 * Debian's crate registry (/usr/share/cargo/registry, see rustls/.cargo/config.toml).
 *
 *   node test/lab/peers/build.mjs go|rustls|all   prints NAME PATH per peer, or NAME missing: REASON (exit 1)
 *
 * Also imported by the lab tests (peerBinary), which skip — or fail under CI — with the reason when a toolchain
 * is missing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
const onPath = (name) => {
  const r = run('sh', ['-c', `command -v ${name}`]);
  return r.status === 0 ? r.stdout.trim() : null;
};

/** Go: on PATH, else Debian's golang-1.19-go (not on PATH by default). */
function goTool() {
  const candidates = [onPath('go'), '/usr/lib/go-1.19/bin/go', ...listGo()].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}
function listGo() {
  try {
    return readdirSync('/usr/lib').filter((d) => /^go-1\.\d+$/.test(d)).sort().reverse().map((d) => `/usr/lib/${d}/bin/go`);
  } catch {
    return [];
  }
}
function cargoTool() {
  return onPath('cargo') ?? (existsSync('/usr/bin/cargo') ? '/usr/bin/cargo' : null);
}

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'target') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

function hashOf(dir, toolVersion) {
  const h = createHash('sha256').update(toolVersion);
  for (const f of filesUnder(dir)) h.update(relative(dir, f)).update('\0').update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

function cacheRoot() {
  if (process.env.MTLS_DOCTOR_LAB_CACHE) return process.env.MTLS_DOCTOR_LAB_CACHE;
  const nm = join(ROOT, 'node_modules');
  const base = existsSync(nm) ? join(nm, '.cache') : join(process.env.TMPDIR ?? '/tmp');
  return join(base, 'mtls-doctor-lab-peers');
}

const PEERS = {
  go: {
    tool: goTool,
    why: 'Go is not installed (apt-get install -y golang-1.19-go)',
    version: (go) => run(go, ['version']).stdout.trim(),
    build(go, src, out) {
      return run(go, ['build', '-trimpath', '-o', join(out, 'peer'), '.'], {
        cwd: src,
        env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOCACHE: join(out, '.gocache'), GOPATH: join(out, '.gopath') },
      });
    },
  },
  rustls: {
    tool: cargoTool,
    why: 'cargo is not installed, or Debian\'s rustls crates are missing (apt-get install -y cargo librust-rustls-dev)',
    version: (cargo) => `${run(cargo, ['--version']).stdout.trim()} ${existsSync('/usr/share/cargo/registry') ? readdirSync('/usr/share/cargo/registry').filter((d) => /^(rustls|ring|webpki)-/.test(d)).join(',') : 'no-registry'}`,
    build(cargo, src, out) {
      if (!existsSync('/usr/share/cargo/registry') || !readdirSync('/usr/share/cargo/registry').some((d) => d.startsWith('rustls-0.20'))) {
        return { status: 1, stdout: '', stderr: 'Debian\'s rustls 0.20 crate is missing: apt-get install -y librust-rustls-dev' };
      }
      const r = run(cargo, ['build', '--release', '--offline', '--locked', '--target-dir', join(out, 'target')], { cwd: src });
      if (r.status === 0) renameSync(join(out, 'target', 'release', 'rustls-peer'), join(out, 'peer'));
      return r;
    },
  },
};

/**
 * The path of a built peer, building it when its cache entry is missing; or { missing: reason }.
 * Concurrent callers build into their own temp dirs and the first rename wins.
 */
export function peerBinary(name) {
  const p = PEERS[name];
  if (!p) throw new Error(`unknown lab peer ${name}`);
  const tool = p.tool();
  if (!tool) return { missing: p.why };
  const src = join(HERE, name);
  const key = `${name}-${hashOf(src, p.version(tool))}`;
  const root = cacheRoot();
  const final = join(root, key);
  const bin = join(final, 'peer');
  if (existsSync(bin)) return { path: bin, cached: true };
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.${key}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  const r = p.build(tool, src, tmp);
  if (r.status !== 0 || !existsSync(join(tmp, 'peer'))) {
    rmSync(tmp, { recursive: true, force: true });
    return { missing: `building the ${name} peer failed: ${(r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').slice(-6).join(' | ')}` };
  }
  // Keep only the binary: the build directories are large.
  const keep = join(root, `.${key}-${process.pid}-bin`);
  mkdirSync(keep, { recursive: true });
  renameSync(join(tmp, 'peer'), join(keep, 'peer'));
  rmSync(tmp, { recursive: true, force: true });
  try {
    renameSync(keep, final);
  } catch {
    rmSync(keep, { recursive: true, force: true }); // another process won the race
  }
  return { path: bin, cached: false, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const which = process.argv[2] ?? 'all';
  const names = which === 'all' ? Object.keys(PEERS) : [which];
  let failed = false;
  for (const n of names) {
    const r = peerBinary(n);
    if (r.path) console.log(`${n} ${r.path}${r.cached ? ' (cached)' : ` (built in ${(r.ms / 1000).toFixed(1)}s)`}`);
    else {
      failed = true;
      console.log(`${n} missing: ${r.missing}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
