/**
 * RFC 5280 §4.2.1.10 / §6.1.3 (b)(c) name constraints, evaluated over a built path (leaf first). Every CA on
 * the path, the trust anchor included (OpenSSL, Go and BoringSSL apply an anchor's constraints too), constrains
 * the names of every certificate below it, except self-issued intermediates. Names are the SANs, the subject
 * DN and its emailAddress attributes. Forms: DNS, IP, URI (host part: SPIFFE trust domains), rfc822Name,
 * directoryName; other forms match by type.
 *
 * Work is bounded: a path whose names × constraints exceed MAX_NC_CHECKS is reported as too costly to check
 * (verifiers refuse such chains too: OpenSSL's NAME_CONSTRAINTS_check limit, Go's maxConstraintComparisons).
 */
import { ipFromText } from './names.js';
import type { CertFact, San } from './types.js';

export const MAX_NC_CHECKS = 250_000;

export type NcViolationKind = 'excluded' | 'not-permitted' | 'malformed-name' | 'too-costly';

export interface NcViolation {
  kind: NcViolationKind;
  /** The certificate whose name breaks the constraint. */
  cert: CertFact;
  /** The CA whose nameConstraints it breaks. */
  ca: CertFact;
  name: San;
  /** The constraint matched (excluded) or the permitted subtrees of that form (not-permitted). */
  constraints: San[];
}

/** Problems with a constraint itself that make a strict verifier reject the CA (RFC 5280 syntax). */
export function constraintProblems(c: San): string | null {
  if (c.type === 'dns') {
    if (c.value === '') return null;
    // A leading period is a verifier difference (src/x509/verifiers.ts name-constraints-dns-leading-period).
    if (c.value.startsWith('.')) return isDnsName(c.value.slice(1), false) ? null : `DNS constraint "${c.value}" is not a domain name`;
    if (!isDnsName(c.value, false)) return `DNS constraint "${c.value}" is not a domain name`;
  }
  if (c.type === 'ip' && !/\/\d+$/.test(c.value)) return `IP constraint ${c.value} is not an address with a prefix mask`;
  return null;
}

/** Hostname syntax (letters, digits, hyphens, underscores; labels 1–63), optionally a leading `*.` wildcard. */
export function isDnsName(name: string, allowWildcard: boolean): boolean {
  let n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (allowWildcard && n.startsWith('*.')) n = n.slice(2);
  if (n.length === 0 || n.length > 253) return false;
  return n.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(l));
}

const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** DNS: the constraint and any name with labels added on the left (`example.com` ⊇ `a.example.com`). */
function dnsWithin(name: string, c: string): boolean {
  const n = lower(name);
  const k = lower(c);
  if (k === '') return true;
  if (k.startsWith('.')) return n.endsWith(k);
  return n === k || n.endsWith(`.${k}`);
}

/**
 * A wildcard SAN `*.example.com` stands for every name one label below `example.com`: it is within a permitted
 * subtree only when all of them are, and it hits an excluded subtree when any of them might (CVE-2025-61727).
 */
function dnsMatch(name: string, c: string, mode: 'permitted' | 'excluded'): boolean {
  const n = lower(name);
  if (!n.startsWith('*.')) return dnsWithin(n, c);
  const base = n.slice(2);
  const k = lower(c);
  if (k === '') return true;
  // `.base` covers every name below base, so every `x.base`.
  const coversAll = dnsWithin(base, k) || (k.startsWith('.') && base === k.slice(1));
  if (mode === 'permitted') return coversAll;
  if (coversAll) return true;
  // Excluded `bar.base`: the wildcard may stand for it.
  const kk = k.startsWith('.') ? k.slice(1) : k;
  return kk.endsWith(`.${base}`) && !kk.slice(0, -base.length - 1).includes('.');
}

function ipMatch(name: string, c: string): boolean {
  const m = /^(.*)\/(\d+)$/.exec(c);
  if (!m) return false;
  const a = ipFromText(name);
  const net = ipFromText(m[1]!);
  if (!a || !net || a.length !== net.length) return false;
  let bits = Number(m[2]);
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

/** The host of a URI (`scheme://[user@]host[:port]/…`); null when it has none (`urn:…`). */
export function uriHost(uri: string): string | null {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (!m) return null;
  let host = m[1]!;
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') < 0 ? undefined : host.indexOf(']'));
  host = host.replace(/:\d*$/, '');
  return host === '' ? null : host.toLowerCase();
}

/** URI: RFC 5280 — `host` matches that host exactly; `.domain` matches hosts below it. */
function uriMatch(name: string, c: string): boolean {
  const host = uriHost(name);
  if (host === null) return false;
  const k = lower(c);
  return k.startsWith('.') ? host.endsWith(k) : host === k;
}

/** rfc822Name: a mailbox (`user@host`, exact), a host (all mailboxes there), or `.domain` (hosts below it). */
function emailMatch(name: string, c: string): boolean {
  const at = name.lastIndexOf('@');
  if (at < 0) return false;
  const local = name.slice(0, at);
  const domain = lower(name.slice(at + 1));
  const cat = c.lastIndexOf('@');
  if (cat >= 0) return local === c.slice(0, cat) && domain === lower(c.slice(cat + 1));
  const k = lower(c);
  return k.startsWith('.') ? domain.endsWith(k) : domain === k;
}

/** directoryName: the constraint's RDNs are a prefix of the name's. */
function dnMatch(name: San, c: San): boolean {
  const n = name.rdns ?? [];
  const k = c.rdns ?? [];
  return k.length <= n.length && k.every((r, i) => r === n[i]);
}

function otherMatch(name: string, c: string): boolean {
  // Forms this tool does not interpret match by their type (otherName by its type-id).
  return name.split(':')[0] === c.split(':')[0] && (name.startsWith('otherName:') ? name === c : true);
}

export function nameMatches(name: San, c: San, mode: 'permitted' | 'excluded'): boolean {
  if (name.type !== c.type) return false;
  switch (name.type) {
    case 'dns':
      return dnsMatch(name.value, c.value, mode);
    case 'ip':
      return ipMatch(name.value, c.value);
    case 'uri':
      return uriMatch(name.value, c.value);
    case 'email':
      return emailMatch(name.value, c.value);
    case 'dn':
      return dnMatch(name, c);
    default:
      return otherMatch(name.value, c.value);
  }
}

/** The names of a certificate that name constraints apply to. */
export function constrainedNames(cert: CertFact): San[] {
  const out: San[] = [...cert.sans];
  if (cert.subjectRdns.length > 0) out.push({ type: 'dn', value: cert.subject, rdns: cert.subjectRdns });
  for (const e of cert.subjectEmails) out.push({ type: 'email', value: e });
  return out;
}

/** A name that is malformed for its form cannot be shown to lie inside a permitted subtree. */
function malformed(name: San): boolean {
  if (name.type === 'dns') return !isDnsName(name.value, true);
  if (name.type === 'ip') return ipFromText(name.value) === undefined;
  if (name.type === 'email') return !/^[^@\s]+@[^@\s]+$/.test(name.value);
  return false;
}

/** Checks every name below every constraining CA on the path. Stops at the first `too-costly` budget breach. */
export function checkNameConstraints(path: CertFact[]): NcViolation[] {
  const out: NcViolation[] = [];
  let work = 0;
  for (let j = path.length - 1; j >= 1; j--) {
    const ca = path[j]!;
    const nc = ca.nameConstraints;
    if (!nc || (nc.permitted.length === 0 && nc.excluded.length === 0)) continue;
    const permittedTypes = new Set(nc.permitted.map((c) => c.type));
    for (let i = j - 1; i >= 0; i--) {
      const cert = path[i]!;
      if (i > 0 && cert.selfIssued) continue;
      for (const name of constrainedNames(cert)) {
        if (name.type === 'dn' && !permittedTypes.has('dn') && !nc.excluded.some((c) => c.type === 'dn')) continue;
        work += nc.permitted.length + nc.excluded.length;
        if (work > MAX_NC_CHECKS) {
          out.push({ kind: 'too-costly', cert, ca, name, constraints: [] });
          return out;
        }
        const hit = nc.excluded.filter((c) => nameMatches(name, c, 'excluded'));
        if (hit.length) {
          out.push({ kind: 'excluded', cert, ca, name, constraints: hit });
          continue;
        }
        if (!permittedTypes.has(name.type)) continue;
        const forms = nc.permitted.filter((c) => c.type === name.type);
        if (malformed(name)) {
          out.push({ kind: 'malformed-name', cert, ca, name, constraints: forms });
          continue;
        }
        if (!forms.some((c) => nameMatches(name, c, 'permitted'))) out.push({ kind: 'not-permitted', cert, ca, name, constraints: forms });
      }
    }
  }
  return out;
}
