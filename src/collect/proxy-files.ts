/**
 * The istio-proxy's credential files, read under a root: `/` inside the istio-proxy container,
 * `/proc/<envoy pid>/root` from an ephemeral container started with `kubectl debug --target=istio-proxy`, or
 * `--proxy-root DIR`. A key file is reduced on the spot to its public facts; its bytes are wiped after.
 *
 * Paths (envoy-istio-formats.md §5): workload-spiffe-credentials (used instead of a CSR when all three
 * exist), legacy /etc/certs (global.mountMtlsCerts), and the istiod root /var/run/secrets/istio/root-cert.pem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInputFile, fsReason } from './files.js';
import { keyEvidence } from '../evidence/from-inputs.js';
import type { MountedFile } from '../evidence/proxy.js';
import { decodeCertificates, toPem } from '../x509/pem.js';
import { decodeCrls, parseCrl } from '../x509/crl.js';

export const CREDENTIAL_FILES: ReadonlyArray<{ path: string; kind: MountedFile['kind'] }> = [
  { path: 'var/run/secrets/workload-spiffe-credentials/cert-chain.pem', kind: 'cert-chain' },
  { path: 'var/run/secrets/workload-spiffe-credentials/key.pem', kind: 'key' },
  { path: 'var/run/secrets/workload-spiffe-credentials/root-cert.pem', kind: 'root-cert' },
  { path: 'etc/certs/cert-chain.pem', kind: 'cert-chain' },
  { path: 'etc/certs/key.pem', kind: 'key' },
  { path: 'etc/certs/root-cert.pem', kind: 'root-cert' },
  { path: 'var/run/secrets/istio/root-cert.pem', kind: 'root-cert' },
  // The plug-in CA's CRL (cacerts ca-crl.pem), mounted by the sidecar injector when the CA ships one.
  { path: 'var/run/secrets/istio/crl/ca-crl.pem', kind: 'crl' },
];

const display = (root: string, rel: string) => (root === '/' ? `/${rel}` : join(root, rel));

/** Reads every known credential path under `root`. Missing files are skipped; unreadable ones are recorded. */
export function readCredentialFiles(root: string): { files: MountedFile[]; rootError: { reason: string; code: string | undefined } | null } {
  try {
    readdirSync(root);
  } catch (e) {
    return { files: [], rootError: { reason: `cannot list ${root}: ${fsReason(e)}`, code: (e as NodeJS.ErrnoException).code } };
  }
  const files: MountedFile[] = [];
  for (const { path: rel, kind } of CREDENTIAL_FILES) {
    const path = display(root, rel);
    let data: Buffer;
    try {
      // Credential files are regular files (or links to them): a FIFO or device planted there is refused, not read.
      data = readInputFile(join(root, rel), 'istio-proxy credential', undefined, { regularOnly: true });
    } catch (e) {
      const code = ((e as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      files.push({ path, kind, pems: [], key: null, error: (e as Error).message });
      continue;
    }
    if (kind === 'key') {
      try {
        files.push({ path, kind, pems: [], key: keyEvidence({ name: path, data }), error: null });
      } catch (e) {
        files.push({ path, kind, pems: [], key: null, error: (e as Error).message });
      } finally {
        data.fill(0);
      }
      continue;
    }
    if (kind === 'crl') {
      try {
        const ders = decodeCrls(data, path);
        ders.forEach((der, i) => parseCrl(der, ders.length > 1 ? `${path} (CRL ${i + 1})` : path));
        files.push({ path, kind, pems: ders.map((der) => toPem(der, 'X509 CRL')), key: null, error: null });
      } catch (e) {
        files.push({ path, kind, pems: [], key: null, error: (e as Error).message });
      }
      continue;
    }
    try {
      files.push({ path, kind, pems: decodeCertificates(data, path).map((b) => toPem(b.der)), key: null, error: null });
    } catch (e) {
      files.push({ path, kind, pems: [], key: null, error: (e as Error).message });
    }
  }
  return { files, rootError: null };
}

export interface ProcScan {
  envoyPid: number | null;
  agentPid: number | null;
  /** Why nothing was found, when nothing was. */
  reason: string | null;
}

/** Finds the istio-proxy's Envoy (and pilot-agent) by scanning `/proc/<pid>/cmdline`: argv[0] named `envoy` / `pilot-agent`. */
export function scanProc(procDir = '/proc', selfPid = process.pid): ProcScan {
  let entries: string[];
  try {
    entries = readdirSync(procDir).filter((n) => /^\d+$/.test(n));
  } catch (e) {
    return { envoyPid: null, agentPid: null, reason: `cannot list ${procDir}: ${fsReason(e)}` };
  }
  let envoyPid: number | null = null;
  let agentPid: number | null = null;
  for (const n of entries.sort((a, b) => Number(a) - Number(b))) {
    const pid = Number(n);
    if (pid === selfPid) continue;
    let argv0: string;
    try {
      argv0 = readFileSync(join(procDir, n, 'cmdline'), 'latin1').split('\0')[0] ?? '';
    } catch {
      continue;
    }
    const base = argv0.split('/').pop() ?? '';
    if (base === 'envoy' && envoyPid === null) envoyPid = pid;
    if (base === 'pilot-agent' && agentPid === null) agentPid = pid;
  }
  return {
    envoyPid,
    agentPid,
    reason:
      envoyPid === null
        ? `no envoy process in ${procDir} (the pod's processes are visible only from a container started with kubectl debug --target=istio-proxy)`
        : null,
  };
}

/** Why `/proc/<pid>/…` could not be read, in words that say what to do. */
export function procPermissionHint(path: string, e: unknown): string {
  const reason = fsReason(e);
  if (reason !== 'permission denied') return `cannot read ${path}: ${reason}`;
  return `permission denied reading ${path}: run the debug container as the istio-proxy user (uid 1337) or with CAP_SYS_PTRACE (kubectl debug --profile=general)`;
}

/** The environment of a process (`/proc/<pid>/environ`), for the workload identity Istio injects. */
export function readProcEnviron(procDir: string, pid: number): { env: Record<string, string> } | { error: string } {
  const path = join(procDir, String(pid), 'environ');
  try {
    const env: Record<string, string> = {};
    for (const kv of readFileSync(path, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return { env };
  } catch (e) {
    return { error: procPermissionHint(path, e) };
  }
}
