/**
 * Collects everything the istio-proxy can tell, in order: the Envoy admin API, the pilot-agent, the credential
 * files under `/` (or `--proxy-root`), and the same files under `/proc/<envoy pid>/root` when this runs in an
 * ephemeral container beside the sidecar. Each source ends `ok` or `unavailable` with a reason; the diagnosis
 * runs on what is left.
 *
 * The network part (undici) is loaded only when an admin or agent URL is actually tried.
 */
import type { Dispatcher } from 'undici';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { CertSet, EvidenceBundle, KeyEvidence, SourceRecord } from '../evidence/types.js';
import { emptyProxyEvidence, type MountedFile, type ProxyEvidence, type ProxyIdentity, type ProxySecret } from '../evidence/proxy.js';
import { parseSpiffeId } from '../x509/spiffe.js';
import { procPermissionHint, readCredentialFiles, readProcEnviron, scanProc } from './proxy-files.js';
import type { Source, SourceLabel } from '../model/source.js';
import { CERTS_LACK } from '../evidence/proxy.js';
import { LIMITS } from '../limits.js';
import { within, type Deadline } from '../model/deadline.js';

export const DEFAULT_ENVOY_ADMIN = 'http://127.0.0.1:15000';
export const DEFAULT_AGENT = 'http://127.0.0.1:15020';
export const MAX_WINDOW_SECONDS = 600;

export interface ProxyCollectOptions {
  /** Envoy admin URL; undefined: not asked for (unless `auto`). */
  envoyAdmin?: string;
  agent?: string;
  proxyRoot?: string;
  /** No source was named: try admin, agent, files and /proc with their defaults. */
  auto: boolean;
  /** Take two stats samples this many seconds apart (0: one sample). */
  windowSeconds?: number;
  /** The environment to read the workload identity from (tests inject one). */
  env: Record<string, string | undefined>;
  procDir?: string;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  /** Total time for every admin and agent request (default LIMITS.collectBudgetMs). */
  budgetMs?: number;
  /** The whole diagnosis's deadline: no request waits past it (issue 22), whatever is left of `budgetMs`. */
  deadline?: Deadline;
  /**
   * Called as soon as the Envoy admin secrets are read, with the chain and trust bundle they hold (null, empty:
   * none), so that a source needing only those (the probe) need not wait for /certs, stats and the agent.
   */
  onSecrets?: (served: { chain: CertSet | null; trust: CertSet[] }) => void;
  maxBytes?: number;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How the sets it returns are named (`source`: `envoy secret "default"`): the report's labels, handed down. */
  label: SourceLabel;
}

export interface ProxyCollection {
  proxy: ProxyEvidence;
  sources: SourceRecord[];
  /** The chain Envoy serves (`default`), else the mounted cert-chain.pem. */
  chain: CertSet | null;
  /** ROOTCA (and SPIFFE per-trust-domain bundles), else the mounted root-cert.pem. */
  trust: CertSet[];
  /** Public facts of the key beside a mounted chain, when the chain came from files. */
  key: KeyEvidence | null;
  expectId: string | null;
  /** At least one source answered with something. */
  collected: boolean;
  /** One line per source that failed, for the no-evidence error. */
  failures: string[];
}

/** Checks an admin/agent URL: http(s) with a host; anything else is a usage error naming the flag. */
export function checkUrl(url: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`Cannot use ${flag} "${url}": not a URL; expected e.g. http://127.0.0.1:15000`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`Cannot use ${flag} "${url}": expected an http:// or https:// URL`);
  return url.replace(/\/+$/, '');
}

export function checkWindow(w: number | undefined): number {
  if (w === undefined) return 0;
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > MAX_WINDOW_SECONDS) {
    throw usageError(`Cannot use --window ${String(w)}: expected a number of seconds from 0 to ${MAX_WINDOW_SECONDS}`);
  }
  return w;
}

/** The SPIFFE ID Istio gives the workload, from the variables its injector sets on istio-proxy. */
export function identityFromEnv(env: Record<string, string | undefined>, from: string): ProxyIdentity | { missing: string[] } {
  const td = env.TRUST_DOMAIN;
  const ns = env.POD_NAMESPACE;
  const sa = env.SERVICE_ACCOUNT;
  const missing = [!td && 'TRUST_DOMAIN', !ns && 'POD_NAMESPACE', !sa && 'SERVICE_ACCOUNT'].filter((x): x is string => !!x);
  if (missing.length) return { missing };
  const id = `spiffe://${td}/ns/${ns}/sa/${sa}`;
  const p = parseSpiffeId(id);
  if (!p.ok) return { missing: [`a valid SPIFFE ID (${id}: ${p.problem})`] };
  return { spiffeId: id, from };
}

const pemCount = (pems: string[]) => `${pems.length} certificate${pems.length === 1 ? '' : 's'}`;

function describeFiles(files: MountedFile[]): string {
  return files.map((f) => `${f.path}${f.error ? ' (unusable)' : f.kind === 'key' ? ` (${f.key?.type} key, public part only kept)` : ` (${pemCount(f.pems)})`}`).join(', ');
}

/** Runs every applicable collector and assembles the proxy evidence. Never throws for a source that failed. */
export async function collectProxy(o: ProxyCollectOptions): Promise<ProxyCollection> {
  const proxy = emptyProxyEvidence();
  const sources: SourceRecord[] = [];
  const failures: string[] = [];
  const adminUrl = o.envoyAdmin ? checkUrl(o.envoyAdmin, '--envoy-admin') : o.auto ? DEFAULT_ENVOY_ADMIN : undefined;
  const agentUrl = o.agent ? checkUrl(o.agent, '--agent') : o.auto ? DEFAULT_AGENT : undefined;
  const windowSeconds = checkWindow(o.windowSeconds);
  const timeoutMs = o.timeoutMs ?? LIMITS.requestTimeoutMs;
  const budgetMs = o.budgetMs ?? LIMITS.collectBudgetMs;

  if (adminUrl || agentUrl) {
    const http = await import('./http.js');
    const admin = await import('./envoy-admin.js');
    const owned = o.dispatcher ? null : http.newDispatcher(timeoutMs);
    // One budget for every admin and agent request together (the --window sleep is added to it), inside the
    // diagnosis's deadline when there is one.
    const bound = within(budgetMs, o.deadline);
    const ho = {
      dispatcher: (o.dispatcher ?? owned)!,
      timeoutMs,
      maxBytes: o.maxBytes ?? http.MAX_BODY_BYTES,
      deadline: bound.at,
      budgetMs: bound.budgetMs,
      windowSeconds,
      now: o.now,
      sleep: o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
      ...(o.onSecrets ? { onSecrets: (secrets: ProxySecret[]) => o.onSecrets!(servedCredentials(secrets, o.label)) } : {}),
    };
    try {
      // The admin API and the agent are asked at once, under the one deadline (ho.deadline).
      const [a, g] = await Promise.all([adminUrl ? admin.collectEnvoyAdmin(adminUrl, ho) : null, agentUrl ? admin.collectAgent(agentUrl, ho) : null]);
      if (a) {
        proxy.secretsRead = a.secretsRead;
        proxy.secrets = a.secrets;
        proxy.served = a.served;
        proxy.stats = a.stats;
        proxy.statsFilter = a.stats.length ? admin.STATS_FILTER : null;
        sources.push(...a.sources);
      }
      if (g) {
        proxy.agent = g.agent;
        sources.push(...g.sources);
      }
    } finally {
      await owned?.destroy().catch(() => undefined);
    }
  }

  // Files: --proxy-root, else `/` (inside the istio-proxy container) and then /proc/<envoy pid>/root.
  const roots: Array<{ root: string; name: string }> = [];
  let procScan: ReturnType<typeof scanProc> | null = null;
  const procDir = o.procDir ?? '/proc';
  if (o.proxyRoot) roots.push({ root: o.proxyRoot, name: `files under ${o.proxyRoot}` });
  else if (o.auto) roots.push({ root: '/', name: 'files under /' });
  let environ: { env: Record<string, string> } | { error: string } | null = null;
  if (o.auto && !o.proxyRoot) {
    procScan = scanProc(procDir);
    if (procScan.envoyPid !== null) roots.push({ root: join(procDir, String(procScan.envoyPid), 'root'), name: `files under ${join(procDir, String(procScan.envoyPid), 'root')} (envoy pid ${procScan.envoyPid})` });
    const pid = procScan.envoyPid ?? procScan.agentPid;
    if (pid !== null) environ = readProcEnviron(procDir, pid);
  }
  for (const { root, name } of roots) {
    if (proxy.files.some((f) => f.pems.length > 0 || f.key)) {
      sources.push({ name, status: 'skipped', reason: `credential files already found under ${proxy.root}` });
      continue;
    }
    const r = readCredentialFiles(root);
    if (r.rootError) {
      const reason = root.startsWith(procDir) ? procPermissionHint(root, { code: r.rootError.code, message: r.rootError.reason }) : r.rootError.reason;
      sources.push({ name, status: 'unavailable', reason });
      continue;
    }
    if (r.files.length === 0) {
      sources.push({ name, status: 'unavailable', reason: 'none of the istio-proxy credential files exist there (normal for istiod-issued certificates: they live only in Envoy, read them through the admin API)' });
      continue;
    }
    proxy.files = r.files;
    proxy.root = root;
    const usable = r.files.some((f) => !f.error);
    const detail = describeFiles(r.files);
    const errors = r.files.filter((f) => f.error).map((f) => f.error!);
    if (usable) sources.push({ name, status: 'ok', detail: errors.length ? `${detail}; ${errors.join('; ')}` : detail });
    else sources.push({ name, status: 'unavailable', reason: errors.join('; ') });
  }

  if (procScan && procScan.envoyPid === null) sources.push({ name: 'istio-proxy /proc', status: 'unavailable', reason: procScan.reason ?? 'no envoy process found' });

  // Identity: our own environment (inside istio-proxy), else the sidecar's (/proc/<pid>/environ).
  const own = identityFromEnv(o.env, 'environment');
  if ('spiffeId' in own) proxy.identity = own;
  else if (environ && 'env' in environ) {
    const theirs = identityFromEnv(environ.env, `/proc environ of the istio-proxy`);
    if ('spiffeId' in theirs) proxy.identity = theirs;
  }
  if (proxy.identity) sources.push({ name: 'workload identity', status: 'ok', detail: `${proxy.identity.spiffeId} (from ${proxy.identity.from}: TRUST_DOMAIN, POD_NAMESPACE, SERVICE_ACCOUNT)` });
  else if (o.auto || environ) {
    const why = environ && 'error' in environ ? environ.error : `the environment lacks ${(own as { missing: string[] }).missing.join(', ')}`;
    sources.push({ name: 'workload identity', status: 'unavailable', reason: `${why}; give --expect-id to check the SAN` });
  }

  // What the diagnosis judges: the served chain and ROOTCA, else the mounted files.
  let chain: CertSet | null = null;
  const trust: CertSet[] = [];
  let key: KeyEvidence | null = null;
  const served = servedCredentials(proxy.secrets, o.label);
  const def = served.chain;
  if (served.chain) chain = served.chain;
  trust.push(...served.trust);
  if (!chain) {
    const f = proxy.files.find((x) => x.kind === 'cert-chain' && x.pems.length > 0);
    if (f) {
      chain = originSet({ kind: 'file', path: f.path }, f.pems, o.label);
      key = proxy.files.find((x) => x.kind === 'key' && x.key && dirOf(x.path) === dirOf(f.path))?.key ?? null;
    }
  }
  // Last resort: only /certs answered. Its leaf is judged (expiry, identity); say what it cannot show.
  if (!chain) {
    const certsSource = sources.find((s) => s.name === 'envoy admin /certs' && s.status === 'ok');
    if (certsSource && proxy.served.some((c) => c.kind === 'leaf' && c.expirationTime)) {
      certsSource.detail = `${certsSource.detail}; used as the chain of last resort (no secrets or credential files could be read): ${CERTS_LACK}, so the chain and key-usage checks cannot judge it`;
    }
  }
  if (trust.length === 0) {
    const chainDir = !def && chain?.origin?.kind === 'file' ? dirOf(chain.origin.path) : null;
    const roots = proxy.files.filter((x) => x.kind === 'root-cert' && x.pems.length > 0);
    const r = roots.find((x) => dirOf(x.path) === chainDir) ?? roots[0];
    if (r) trust.push(originSet({ kind: 'file', path: r.path }, r.pems, o.label));
  }
  // For the no-evidence message: what failed, without the consequences (skipped endpoints, no identity).
  for (const s of sources) if (s.status === 'unavailable' && s.name !== 'workload identity' && !/: skipped, /.test(s.reason ?? '')) failures.push(`${s.name}: ${s.reason}`);
  const collected = sources.some((s) => s.status === 'ok' && s.name !== 'workload identity') || proxy.stats.length > 0;
  return { proxy, sources, chain, trust, key, expectId: proxy.identity?.spiffeId ?? null, collected, failures };
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

/** The chain Envoy serves (`default`) and the bundle it verifies peers with (ROOTCA), from its active secrets. */
function servedCredentials(secrets: ProxySecret[], label: SourceLabel): { chain: CertSet | null; trust: CertSet[] } {
  const def = secrets.find((s) => s.name === 'default' && s.state === 'active' && s.pems.length > 0);
  const rootca = secrets.find((s) => s.name === 'ROOTCA' && s.state === 'active');
  return { chain: def ? originSet({ kind: 'envoy-secret', name: 'default' }, def.pems, label) : null, trust: rootca ? trustSets(rootca, label) : [] };
}

const originSet = (origin: Source, pems: string[], label: SourceLabel): CertSet => ({ source: label(origin), origin, pems });

function trustSets(s: ProxySecret, label: SourceLabel): CertSet[] {
  const out: CertSet[] = [];
  if (s.pems.length) out.push(originSet({ kind: 'envoy-secret', name: s.name }, s.pems, label));
  for (const td of s.trustDomains) if (td.pems.length) out.push(originSet({ kind: 'envoy-secret', name: s.name, trustDomain: td.name }, td.pems, label));
  return out;
}

/** The proxy's chain and trust bundle as certificate inputs, for the evidence builder. */
export function proxyCertInputs(c: ProxyCollection): { chain?: { name: string; origin?: Source; data: string }; trust: Array<{ name: string; origin?: Source; data: string }> } {
  const input = (s: CertSet) => ({ name: s.source, ...(s.origin ? { origin: s.origin } : {}), data: s.pems.join('') });
  return { chain: c.chain ? input(c.chain) : undefined, trust: c.trust.map(input) };
}

/**
 * Adds what the proxy showed to a bundle: the proxy evidence itself, its source records (used and unavailable,
 * with reasons), and the public facts of a mounted key when the chain came from the same files.
 */
export function withProxyEvidence(ev: EvidenceBundle, c: ProxyCollection): EvidenceBundle {
  const usedFileChain = c.chain !== null && c.chain.origin?.kind === 'file';
  return {
    ...ev,
    sources: [...c.sources, ...ev.sources],
    key: ev.key ?? (usedFileChain && ev.certificates.chain?.source === c.chain!.source ? c.key : null),
    proxy: c.proxy,
  };
}

/** The one-line reason for exit 3 when nothing at all could be collected. */
export function noEvidenceMessage(c: ProxyCollection): string {
  const tried = c.failures.length ? c.failures.join('; ') : 'no source was tried';
  return `No evidence to diagnose: ${tried}. Run inside the pod (kubectl debug -it POD --image=IMAGE --target=istio-proxy -- mtls-doctor diagnose), or give --envoy-admin URL, --chain FILE or --evidence FILE`;
}
