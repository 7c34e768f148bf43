import { inputError } from '../errors.js';
import { formatBytes, LIMITS } from '../limits.js';

export { formatBytes };

/** Inputs bigger than this are refused before parsing: real trust bundles are a few hundred kB (limits.ts). */
export const MAX_INPUT_BYTES = LIMITS.fileBytes;
/** A bundle with more certificates than this is refused (Mozilla's whole root store is ~150; limits.ts). */
export const MAX_CERTIFICATES = LIMITS.certificatesPerSource;

export type CertificateInput = string | Uint8Array;

export interface DerBlock {
  der: Uint8Array;
  /** 0-based position of the block in its input. */
  index: number;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const KEY_LABEL = /PRIVATE KEY$/;

function isPemText(bytes: Uint8Array | string): boolean {
  const head = typeof bytes === 'string' ? bytes : Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64 * 1024))).toString('latin1');
  return head.includes('-----BEGIN ');
}

/**
 * Decodes PEM (any number of blocks, CRLF or LF, stray whitespace) or DER (one or more concatenated
 * certificates) into DER certificate blocks. Throws an `E_INPUT` error naming `label` for anything that is
 * not a certificate: a private key or CSR where a certificate belongs, truncated PEM, garbage, an empty file.
 * Never includes the input's bytes in a message.
 */
export function decodeCertificates(input: CertificateInput, label: string): DerBlock[] {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_INPUT_BYTES) {
    throw inputError(`Cannot read ${label}: it is ${formatBytes(size)}, over the ${formatBytes(MAX_INPUT_BYTES)} limit for a certificate file`);
  }
  const blank = typeof input === 'string' ? input.trim() === '' : input.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  if (size === 0 || blank) {
    throw inputError(`Cannot read ${label}: it is empty; expected PEM or DER certificates`);
  }
  if (isPemText(input)) return decodePem(typeof input === 'string' ? input : Buffer.from(input).toString('latin1'), label);
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  if (bytes[0] === 0x30) return splitDer(bytes, label);
  const text = typeof input === 'string' ? input : Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  if (/^\s*[A-Za-z0-9+/=\s]+$/.test(text) && text.trim().length > 100) {
    throw inputError(`Cannot read ${label}: it looks like bare base64 without the "-----BEGIN CERTIFICATE-----" header; wrap it in PEM headers`);
  }
  throw inputError(`Cannot read ${label}: it is neither PEM nor DER certificate data`);
}

export interface PemBlock {
  /** The label of the BEGIN line: `CERTIFICATE`, `X509 CRL`, `PRIVATE KEY`, … */
  type: string;
  /** The body with white space removed (base64, unchecked). */
  base64: string;
}

/**
 * Every PEM block of `text`, in order, for the certificate and CRL decoders alike. Throws for a block whose END
 * label differs from its BEGIN label, and — after the last block, so that a caller's own errors come first —
 * for a "-----BEGIN" line with no matching END line.
 */
export function* pemBlocks(text: string, label: string): Generator<PemBlock> {
  let lastEnd = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    lastEnd = (m.index ?? 0) + m[0].length;
    const [, begin, body, end] = m as unknown as [string, string, string, string];
    if (begin !== end) throw inputError(`Cannot read ${label}: PEM block "${begin}" ends with "${end}"`);
    yield { type: begin, base64: body.replace(/\s+/g, '') };
  }
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(text.slice(lastEnd))) {
    throw inputError(`Cannot read ${label}: a PEM block is truncated (a "-----BEGIN" line has no matching "-----END" line)`);
  }
}

/** A PEM body's bytes; `what` names the item for the error (`certificate 3`, `CRL 1`). */
export function pemBody(block: PemBlock, label: string, what: string): Buffer {
  if (block.base64.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(block.base64)) {
    throw inputError(`Cannot read ${label}: ${what} has invalid base64 in its PEM body`);
  }
  return Buffer.from(block.base64, 'base64');
}

function decodePem(text: string, label: string): DerBlock[] {
  const blocks: DerBlock[] = [];
  let sawKey = false;
  let sawCsr = false;
  for (const block of pemBlocks(text, label)) {
    if (KEY_LABEL.test(block.type)) {
      sawKey = true;
      continue;
    }
    if (block.type.includes('CERTIFICATE REQUEST')) {
      sawCsr = true;
      continue;
    }
    if (block.type !== 'CERTIFICATE' && block.type !== 'TRUSTED CERTIFICATE' && block.type !== 'X509 CERTIFICATE') continue;
    if (blocks.length >= MAX_CERTIFICATES) {
      throw inputError(`Cannot read ${label}: more than ${MAX_CERTIFICATES} certificates in one bundle`);
    }
    const der = pemBody(block, label, `certificate ${blocks.length + 1}`);
    blocks.push({ der: firstDerElement(der, label, blocks.length), index: blocks.length });
  }
  if (blocks.length === 0) {
    if (sawKey) throw inputError(`Cannot read ${label}: it holds a private key, not a certificate (give the key with --key)`);
    if (sawCsr) throw inputError(`Cannot read ${label}: it holds a certificate signing request (CSR), not a certificate`);
    throw inputError(`Cannot read ${label}: it has no "-----BEGIN CERTIFICATE-----" block`);
  }
  return blocks;
}

/** Length of the DER element at `offset`, header included, or -1 when it does not fit. */
export function derElementLength(bytes: Uint8Array, offset: number): number {
  if (offset + 2 > bytes.length) return -1;
  const first = bytes[offset + 1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || offset + 2 + n > bytes.length) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + bytes[offset + 2 + i]!;
  return 2 + n + len;
}

function firstDerElement(der: Uint8Array, label: string, index: number): Uint8Array {
  const len = der[0] === 0x30 ? derElementLength(der, 0) : -1;
  if (len < 0 || len > der.length) throw inputError(`Cannot read ${label}: certificate ${index + 1} is truncated or not DER`);
  // "TRUSTED CERTIFICATE" (OpenSSL) appends trust settings after the certificate: keep the certificate.
  return der.subarray(0, len);
}

/**
 * Splits concatenated DER elements (trailing white space or NULs after the last one are tolerated), for the
 * certificate and CRL decoders alike. `o.max` bounds the count; the messages name what is being read.
 */
export function splitDerElements(bytes: Uint8Array, label: string, o: { max: number; tooMany: string; notDer: string }): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30) {
      if (out.length > 0 && bytes.subarray(offset).every((b) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0)) break;
      throw inputError(offset === 0 ? `Cannot read ${label}: ${o.notDer}` : `Cannot read ${label}: DER data is malformed at byte ${offset}`);
    }
    const len = derElementLength(bytes, offset);
    if (len < 0 || offset + len > bytes.length) throw inputError(`Cannot read ${label}: DER data is truncated at byte ${offset}`);
    if (out.length >= o.max) throw inputError(`Cannot read ${label}: ${o.tooMany}`);
    out.push(bytes.subarray(offset, offset + len));
    offset += len;
  }
  return out;
}

function splitDer(bytes: Uint8Array, label: string): DerBlock[] {
  return splitDerElements(bytes, label, {
    max: MAX_CERTIFICATES,
    tooMany: `more than ${MAX_CERTIFICATES} certificates in one bundle`,
    notDer: 'it is neither PEM nor DER certificate data',
  }).map((der, index) => ({ der, index }));
}

/** Formats DER as PEM (64-column base64). */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

