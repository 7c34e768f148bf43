/**
 * `serve --config FILE`: JSON or YAML. Secrets are read from files (Kubernetes Secrets mounted as volumes),
 * never from the command line or the config itself. Unknown keys are refused, so a typo in an authorization
 * rule cannot silently widen or narrow it.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { inputError } from '../errors.js';

export interface TokenRule {
  /** How the token is named in logs and refusals (never the token itself). */
  name: string;
  /** The secret, read from `tokenFile`. */
  token: Buffer;
  namespaces: string[];
}

export interface ServeConfig {
  slack: null | {
    signingSecret: Buffer;
    /** A response_url outside this prefix is refused: no server-side request goes anywhere else. */
    responseUrlPrefix: string;
    /** Channel id → namespaces a command from it may diagnose. */
    channels: Record<string, string[]>;
    /** Optional user id → namespaces: when set, a user must be allowed too (both lists must name the namespace). */
    users: Record<string, string[]> | null;
  };
  tokens: TokenRule[];
  limits: {
    bodyBytes: number;
    perCallerPerMinute: number;
    queue: number;
    concurrency: number;
    deadlineSeconds: number;
    /** How long POST /v1/diagnoses waits for the answer before it says 202 and gives the id to poll. */
    syncWaitSeconds: number;
  };
  cluster: {
    domain: string;
    /** Addresses a chat `--peer` may resolve to (Service and Pod CIDRs). Empty: peer probes are refused. */
    peerCidrs: string[];
    peerBlockList: BlockList;
    /** Kubernetes impersonation for cluster requests: a group derived from the caller (Botkube's channel → group). */
    impersonation: null | { groupPrefix: string };
  };
  /**
   * What `serve --scan-interval` scans for the fleet gauges on /metrics (the exporter), as the server's exporter
   * identity (impersonated as `<groupPrefix>exporter` when impersonation is on). Default: every namespace.
   */
  scan: {
    namespaces: string[] | 'all';
    selector: string | null;
    readCaSecrets: boolean;
    concurrency: number;
    podTimeoutSeconds: number;
  };
}

export const DEFAULT_SCAN: ServeConfig['scan'] = { namespaces: 'all', selector: null, readCaSecrets: false, concurrency: 8, podTimeoutSeconds: 10 };

export const DEFAULT_LIMITS: ServeConfig['limits'] = { bodyBytes: 1024 * 1024, perCallerPerMinute: 20, queue: 32, concurrency: 4, deadlineSeconds: 60, syncWaitSeconds: 5 };
const MAX_CONFIG_BYTES = 1024 * 1024;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** What a label selector may be made of (keys, values, =, ==, !=, !, commas), from the config or chat; the collector checks its grammar. */
export const LABEL_SELECTOR = /^[A-Za-z0-9._/=!,-]{1,1024}$/;

type Obj = Record<string, unknown>;
const fail = (file: string, what: string) => inputError(`Cannot use --config "${file}": ${what}`);

function obj(file: string, v: unknown, path: string, allowed: string[]): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw fail(file, `${path} must be a mapping`);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw fail(file, `unknown key ${path}.${k} (expected one of ${allowed.join(', ')})`);
  return v as Obj;
}

function str(file: string, v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw fail(file, `${path} must be a non-empty string`);
  return v;
}

function int(file: string, v: unknown, path: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw fail(file, `${path} must be a whole number from ${min} to ${max}`);
  return v;
}

function namespaces(file: string, v: unknown, path: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw fail(file, `${path} must be a non-empty list of namespaces`);
  return v.map((ns, i) => {
    if (typeof ns !== 'string' || !DNS_LABEL.test(ns)) throw fail(file, `${path}[${i}] ${JSON.stringify(ns)} is not a Kubernetes namespace name (RFC 1123 label)`);
    return ns;
  });
}

function nsMap(file: string, v: unknown, path: string): Record<string, string[]> {
  const o = obj(file, v, path, Object.keys((v as Obj) ?? {}));
  const out: Record<string, string[]> = Object.create(null);
  for (const [id, list] of Object.entries(o)) {
    if (!/^[A-Z0-9]{1,32}$/.test(id)) throw fail(file, `${path}: ${JSON.stringify(id)} is not a Slack id (such as C0123ABCD or U0123ABCD)`);
    out[id] = namespaces(file, list, `${path}.${id}`);
  }
  return out;
}

/** Reads a secret file: trimmed, non-empty, and at least `minBytes` long. Its content is never echoed. */
export function readSecretFile(path: string, what: string, minBytes: number, read: (p: string) => Buffer = readFileSync): Buffer {
  let data: Buffer;
  try {
    data = read(path);
  } catch (e) {
    throw inputError(`Cannot read ${what} "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = data.toString('utf8').trim();
  if (Buffer.byteLength(text) < minBytes) throw inputError(`Cannot use ${what} "${path}": it holds ${Buffer.byteLength(text)} bytes, fewer than ${minBytes}`);
  return Buffer.from(text, 'utf8');
}

/** A BlockList of CIDRs (IPv4 and IPv6) with their text, refusing what is not a CIDR. */
export function cidrList(cidrs: string[], where: (i: number) => string): BlockList {
  const list = new BlockList();
  cidrs.forEach((c, i) => {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(c);
    const family = m ? isIP(m[1]!) : 0;
    const prefix = m ? Number(m[2]) : -1;
    if (!m || !family || prefix > (family === 4 ? 32 : 128)) throw inputError(`${where(i)} ${JSON.stringify(c)} is not a CIDR such as 10.96.0.0/12`);
    list.addSubnet(m[1]!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  });
  return list;
}

/** Parses and validates config text; `readSecret` reads the secret files (injected by tests). */
export function parseConfig(text: string, file: string, readSecret: (p: string) => Buffer = readFileSync): ServeConfig {
  let raw: unknown;
  try {
    raw = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, maxAliasCount: 50 });
  } catch (e) {
    throw fail(file, `not valid JSON or YAML (${String((e as Error).message).split('\n')[0]})`);
  }
  const top = obj(file, raw, 'config', ['slack', 'tokens', 'limits', 'cluster', 'scan']);
  let slack: ServeConfig['slack'] = null;
  if (top.slack !== undefined) {
    const s = obj(file, top.slack, 'slack', ['signingSecretFile', 'responseUrlPrefix', 'channels', 'users']);
    const prefix = s.responseUrlPrefix === undefined ? 'https://hooks.slack.com/' : str(file, s.responseUrlPrefix, 'slack.responseUrlPrefix');
    let u: URL;
    try {
      u = new URL(prefix);
    } catch {
      throw fail(file, `slack.responseUrlPrefix ${JSON.stringify(prefix)} is not a URL`);
    }
    if (!/^https?:$/.test(u.protocol) || !prefix.endsWith('/') || u.search || u.hash || u.username || u.password) {
      throw fail(file, `slack.responseUrlPrefix ${JSON.stringify(prefix)} must be an http(s) URL ending in "/" without query or credentials`);
    }
    slack = {
      signingSecret: readSecretFile(str(file, s.signingSecretFile, 'slack.signingSecretFile'), 'slack.signingSecretFile', 16, readSecret),
      responseUrlPrefix: u.href,
      channels: nsMap(file, s.channels ?? {}, 'slack.channels'),
      users: s.users === undefined ? null : nsMap(file, s.users, 'slack.users'),
    };
  }
  const tokenList = top.tokens === undefined ? [] : top.tokens;
  if (!Array.isArray(tokenList)) throw fail(file, 'tokens must be a list of {name, tokenFile, namespaces}');
  const tokens = tokenList.map((t, i): TokenRule => {
    const o = obj(file, t, `tokens[${i}]`, ['name', 'tokenFile', 'namespaces']);
    return {
      name: o.name === undefined ? `tokens[${i}]` : str(file, o.name, `tokens[${i}].name`),
      token: readSecretFile(str(file, o.tokenFile, `tokens[${i}].tokenFile`), `tokens[${i}].tokenFile`, 24, readSecret),
      namespaces: namespaces(file, o.namespaces, `tokens[${i}].namespaces`),
    };
  });
  if (new Set(tokens.map((t) => t.token.toString('hex'))).size !== tokens.length) throw fail(file, 'two tokens entries share one token file content: give each caller its own token');
  if (!slack && tokens.length === 0 && top.scan === undefined) throw fail(file, 'nothing to serve: configure slack and/or tokens (or scan, to serve only the fleet metrics with --scan-interval)');
  const l = obj(file, top.limits ?? {}, 'limits', Object.keys(DEFAULT_LIMITS));
  const limits: ServeConfig['limits'] = {
    bodyBytes: int(file, l.bodyBytes, 'limits.bodyBytes', 1024, 64 * 1024 * 1024, DEFAULT_LIMITS.bodyBytes),
    perCallerPerMinute: int(file, l.perCallerPerMinute, 'limits.perCallerPerMinute', 1, 1_000_000, DEFAULT_LIMITS.perCallerPerMinute),
    queue: int(file, l.queue, 'limits.queue', 0, 100_000, DEFAULT_LIMITS.queue),
    concurrency: int(file, l.concurrency, 'limits.concurrency', 1, 256, DEFAULT_LIMITS.concurrency),
    deadlineSeconds: int(file, l.deadlineSeconds, 'limits.deadlineSeconds', 1, 3600, DEFAULT_LIMITS.deadlineSeconds),
    syncWaitSeconds: int(file, l.syncWaitSeconds, 'limits.syncWaitSeconds', 0, 600, DEFAULT_LIMITS.syncWaitSeconds),
  };
  const c = obj(file, top.cluster ?? {}, 'cluster', ['domain', 'peerCidrs', 'impersonation']);
  const domain = c.domain === undefined ? 'cluster.local' : str(file, c.domain, 'cluster.domain').replace(/\.$/, '');
  if (!domain.split('.').every((x) => DNS_LABEL.test(x))) throw fail(file, `cluster.domain ${JSON.stringify(domain)} is not a DNS name`);
  if (c.peerCidrs !== undefined && !Array.isArray(c.peerCidrs)) throw fail(file, 'cluster.peerCidrs must be a list of CIDRs (the Service and Pod CIDRs)');
  const peerCidrs = ((c.peerCidrs as unknown[]) ?? []).map((x, i) => str(file, x, `cluster.peerCidrs[${i}]`));
  let peerBlockList: BlockList;
  try {
    peerBlockList = cidrList(peerCidrs, (i) => `cluster.peerCidrs[${i}]`);
  } catch (e) {
    throw fail(file, (e as Error).message);
  }
  let impersonation: ServeConfig['cluster']['impersonation'] = { groupPrefix: 'mtls-doctor:' };
  if (c.impersonation === false) impersonation = null;
  else if (c.impersonation !== undefined) {
    const im = obj(file, c.impersonation, 'cluster.impersonation', ['groupPrefix']);
    impersonation = { groupPrefix: im.groupPrefix === undefined ? 'mtls-doctor:' : str(file, im.groupPrefix, 'cluster.impersonation.groupPrefix') };
  }
  return { slack, tokens, limits, cluster: { domain, peerCidrs, peerBlockList, impersonation }, scan: scanScope(file, top.scan) };
}

function scanScope(file: string, v: unknown): ServeConfig['scan'] {
  if (v === undefined) return DEFAULT_SCAN;
  const o = obj(file, v, 'scan', ['namespaces', 'selector', 'readCaSecrets', 'concurrency', 'podTimeoutSeconds']);
  if (o.readCaSecrets !== undefined && typeof o.readCaSecrets !== 'boolean') throw fail(file, 'scan.readCaSecrets must be true or false');
  const selector = o.selector === undefined ? null : str(file, o.selector, 'scan.selector');
  if (selector !== null && !LABEL_SELECTOR.test(selector)) throw fail(file, `scan.selector ${JSON.stringify(selector)} is not a label selector such as app=web,tier=front`);
  return {
    namespaces: o.namespaces === undefined || o.namespaces === 'all' ? 'all' : namespaces(file, o.namespaces, 'scan.namespaces'),
    selector,
    readCaSecrets: o.readCaSecrets === true,
    concurrency: int(file, o.concurrency, 'scan.concurrency', 1, 256, DEFAULT_SCAN.concurrency),
    podTimeoutSeconds: int(file, o.podTimeoutSeconds, 'scan.podTimeoutSeconds', 1, 600, DEFAULT_SCAN.podTimeoutSeconds),
  };
}

/** Reads `--config FILE` (at most 1 MiB) and the secret files it names. */
export function loadConfig(file: string, read: (p: string) => Buffer = readFileSync): ServeConfig {
  let data: Buffer;
  try {
    data = read(file);
  } catch (e) {
    throw inputError(`Cannot read --config "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (data.byteLength > MAX_CONFIG_BYTES) throw fail(file, 'it is larger than 1 MiB');
  return parseConfig(data.toString('utf8'), file, read);
}
