/**
 * Distinguished names and GeneralNames decoded from DER into plain records: the text form people read
 * (`CN=a, O=b`, the attribute order as encoded), a normalised per-RDN form for matching (RFC 5280 §7.1 style:
 * case and runs of space folded), and GeneralNames with IP addresses in their canonical text form.
 */
import { children, DerError, oid, readNode, TAG, text, value, type DerNode } from './der.js';
import type { San } from './types.js';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
};
const STRING_TAGS = new Set<number>([TAG.UTF8String, TAG.PrintableString, TAG.T61String, TAG.IA5String, TAG.UniversalString, TAG.BMPString, 0x1a /* VisibleString */, 0x12 /* NumericString */]);

export const OID_CN = '2.5.4.3';
export const OID_EMAIL = '1.2.840.113549.1.9.1';

export interface NameAttr {
  oid: string;
  value: string;
  /** The value is one of the directory string types (not an arbitrary ASN.1 value). */
  isString: boolean;
}

export interface ParsedName {
  /** `CN=a, O=b` (RDNs in encoded order; values escaped as RFC 4514 does). */
  text: string;
  /** One normalised string per RDN, in encoded order: what DN name constraints and name matching compare. */
  rdns: string[];
  attrs: NameAttr[];
}

function escape(v: string): string {
  return v
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
    .replace(/[\r\n\t]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const fold = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** Decodes a Name (SEQUENCE OF RDN). Throws DerError when it is not one. */
export function parseName(node: DerNode): ParsedName {
  if (node.tag !== TAG.SEQUENCE) throw new DerError('Name is not a SEQUENCE');
  const rdnTexts: string[] = [];
  const rdns: string[] = [];
  const attrs: NameAttr[] = [];
  for (const set of children(node)) {
    if (set.tag !== TAG.SET) throw new DerError('RDN is not a SET');
    const parts: string[] = [];
    const norm: string[] = [];
    const members = children(set);
    if (members.length === 0) throw new DerError('empty RDN');
    for (const atv of members) {
      const [t, v] = children(atv);
      if (!t || !v || t.tag !== TAG.OID) throw new DerError('bad AttributeTypeAndValue');
      const type = oid(t);
      const isString = STRING_TAGS.has(v.tag);
      const val = isString ? text(v) : `#${Buffer.from(v.buf.subarray(v.start, v.end)).toString('hex')}`;
      attrs.push({ oid: type, value: val, isString });
      parts.push(`${SHORT[type] ?? type}=${isString ? escape(val) : val}`);
      norm.push(`${type}=${isString ? fold(val) : val}`);
    }
    rdnTexts.push(parts.join('+'));
    rdns.push(norm.sort().join('+'));
  }
  return { text: rdnTexts.join(', '), rdns, attrs };
}

/** IPv4 dotted quad, IPv6 in RFC 5952 form (lowercase, longest zero run compressed). */
export function ipToText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw new DerError(`IP address of ${b.length} bytes`);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses IP text (v4 dotted quad, v6 with `::` and an optional trailing v4) to bytes; undefined if invalid. */
export function ipFromText(s: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const p = s.split('.').map(Number);
    if (p.some((x, i) => x > 255 || (s.split('.')[i]!.length > 1 && s.split('.')[i]!.startsWith('0')))) return undefined;
    return Uint8Array.from(p);
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let tail: number[] = [];
  let str = s;
  const v4 = /:(\d{1,3}(\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = ipFromText(v4[1]!);
    if (!b || b.length !== 4) return undefined;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    // Drop ":a.b.c.d", keeping a "::" that ends right before it.
    str = s[v4.index - 1] === ':' ? s.slice(0, v4.index + 1) : s.slice(0, v4.index);
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if ([...head, ...rest].some((x) => Number.isNaN(x))) return undefined;
  const total = head.length + rest.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (total > 7) return undefined;
    words = [...head, ...new Array(8 - total).fill(0), ...rest, ...tail];
  } else {
    if (total !== 8) return undefined;
    words = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** An IP name constraint (address + mask, 8 or 32 bytes) as CIDR text; undefined when the mask is not a prefix. */
export function ipSubtreeToText(b: Uint8Array): { text: string; valid: boolean } {
  if (b.length !== 8 && b.length !== 32) return { text: `(${b.length}-byte IP constraint)`, valid: false };
  const n = b.length / 2;
  const addr = b.subarray(0, n);
  const mask = b.subarray(n);
  let bits = 0;
  let contiguous = true;
  let seenZero = false;
  for (const byte of mask) {
    for (let i = 7; i >= 0; i--) {
      const on = (byte >> i) & 1;
      if (on) {
        if (seenZero) contiguous = false;
        bits++;
      } else seenZero = true;
    }
  }
  const hex = Buffer.from(mask).toString('hex');
  return contiguous ? { text: `${ipToText(addr)}/${bits}`, valid: true } : { text: `${ipToText(addr)}/mask ${hex}`, valid: false };
}

export interface GeneralNameResult {
  san: San;
  /** A problem verifiers reject (bad IP length, non-IA5 text, …). */
  problem?: string;
}

/**
 * Decodes one GeneralName. `constraint` decodes iPAddress as address+mask (name constraints) instead of an
 * address (subjectAltName).
 */
export function parseGeneralName(n: DerNode, constraint: boolean): GeneralNameResult {
  const cls = n.tag & 0xc0;
  if (cls !== 0x80) throw new DerError('GeneralName is not context-specific');
  const tagNo = n.tag & 0x1f;
  const v = value(n);
  const ia5 = (what: San['type']): GeneralNameResult => {
    if (n.tag & 0x20) throw new DerError(`${what} GeneralName is constructed`);
    const s = Buffer.from(v).toString('latin1');
    return /[^\x00-\x7f]/.test(s) ? { san: { type: what, value: s }, problem: `${what} name is not IA5 (ASCII) text` } : { san: { type: what, value: s } };
  };
  switch (tagNo) {
    case 0: {
      // otherName: type-id and [0] EXPLICIT value.
      const kids = children(n);
      const typeId = kids[0] && kids[0].tag === TAG.OID ? oid(kids[0]) : '?';
      return { san: { type: 'other', value: `otherName:${typeId}` } };
    }
    case 1:
      return ia5('email');
    case 2:
      return ia5('dns');
    case 6:
      return ia5('uri');
    case 4: {
      const kids = children(n);
      if (kids.length !== 1) throw new DerError('directoryName holds more than one Name');
      const dn = parseName(kids[0]!);
      return { san: { type: 'dn', value: dn.text, rdns: dn.rdns } };
    }
    case 7: {
      if (constraint) {
        const t = ipSubtreeToText(v);
        return t.valid ? { san: { type: 'ip', value: t.text } } : { san: { type: 'ip', value: t.text }, problem: `IP constraint ${t.text} is not an address and prefix mask` };
      }
      if (v.length !== 4 && v.length !== 16) return { san: { type: 'ip', value: `(${v.length}-byte address)` }, problem: `IP address SAN of ${v.length} bytes (4 or 16 expected)` };
      return { san: { type: 'ip', value: ipToText(v) } };
    }
    case 3:
      return { san: { type: 'other', value: 'x400Address' } };
    case 5:
      return { san: { type: 'other', value: 'ediPartyName' } };
    case 8:
      return { san: { type: 'other', value: `registeredID:${readableOid(v)}` } };
    default:
      throw new DerError(`GeneralName tag [${tagNo}] is not defined`);
  }
}

function readableOid(v: Uint8Array): string {
  try {
    const buf = new Uint8Array(v.length + 2);
    buf[0] = TAG.OID;
    buf[1] = v.length;
    buf.set(v, 2);
    return oid(readNode(buf));
  } catch {
    return '?';
  }
}
