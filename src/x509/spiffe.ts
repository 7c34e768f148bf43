/**
 * SPIFFE ID parsing per the SPIFFE-ID spec (§2): `spiffe://<trust-domain>/<path>`, trust domain in
 * lowercase letters, digits, '.', '-', '_'; path segments of letters, digits, '.', '-', '_', none empty,
 * none '.' or '..'; no query, fragment, port or user info; at most 2048 bytes.
 */
export interface SpiffeId {
  uri: string;
  trustDomain: string;
  path: string;
  /** Istio's `/ns/<namespace>/sa/<service-account>` form, when the path has it. */
  namespace?: string;
  serviceAccount?: string;
}

export type SpiffeParse = { ok: true; id: SpiffeId } | { ok: false; uri: string; problem: string };

const TD = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

export function parseSpiffeId(uri: string): SpiffeParse {
  const fail = (problem: string): SpiffeParse => ({ ok: false, uri, problem });
  if (Buffer.byteLength(uri) > 2048) return fail('longer than 2048 bytes');
  if (!/^spiffe:\/\//i.test(uri)) return fail('scheme is not "spiffe://"');
  if (!uri.startsWith('spiffe://')) return fail('scheme must be lowercase "spiffe"');
  const rest = uri.slice('spiffe://'.length);
  if (/[?#]/.test(rest)) return fail('has a query or fragment');
  const slash = rest.indexOf('/');
  const td = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (td === '') return fail('trust domain is empty');
  if (td.includes('@')) return fail('has user info');
  if (td.includes(':')) return fail('has a port');
  if (!TD.test(td)) {
    return fail(/[A-Z]/.test(td) ? 'trust domain has uppercase letters' : 'trust domain has characters other than a-z 0-9 . - _');
  }
  if (path !== '') {
    if (path === '/') return fail('path has a trailing "/"');
    const segs = path.slice(1).split('/');
    for (const s of segs) {
      if (s === '') return fail('path has an empty segment or a trailing "/"');
      if (s === '.' || s === '..') return fail('path has a "." or ".." segment');
      if (!SEGMENT.test(s)) return fail(`path segment "${s}" has characters other than A-Z a-z 0-9 . - _`);
    }
  }
  const id: SpiffeId = { uri, trustDomain: td, path };
  const m = /^\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(path);
  if (m) {
    id.namespace = m[1]!;
    id.serviceAccount = m[2]!;
  }
  return { ok: true, id };
}

export function isSpiffeUri(uri: string): boolean {
  return /^spiffe:/i.test(uri);
}
