/**
 * Fuzz targets shared by the seeded suite (test/fuzz/*.test.ts, a few thousand cases per target) and the long
 * run (`npm run fuzz`, scripts/fuzz.mjs). Each target has realistic seeds built at run time (certificates from
 * the PKI factory, CRLs, Envoy admin payloads in Envoy's own shapes, evidence bundles with proxy and handshake
 * parts, pasted error text with keys in it) and a deterministic mutator driven by a seeded PRNG.
 *
 * A case *crashes* when the code under test throws anything but an MtlsDoctorError (a TypeError, a RangeError,
 * "Internal error"), and *leaks* when a private key placed in the input comes out in a report, a rendered format
 * or a saved bundle. A *hang* is a case over the runner's time bound.
 */
import 'reflect-metadata';
import { createPrivateKey } from 'node:crypto';
import { MockAgent } from 'undici';
import { MtlsDoctorError } from '../../src/errors.js';
import { decodeCertificates } from '../../src/x509/pem.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { decodeCrls, parseCrl } from '../../src/x509/crl.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { rules } from '../../rules/index.js';
// The pipeline passes the pasted-text decoder to evaluate() when there is symptom text; so do the targets.
import { pastedSymptom } from '../../src/explain/symptom-deriver.js';
import { parseEvidence, serializeEvidence } from '../../src/evidence/bundle.js';
import { diagnoseWithEvidence } from '../../src/diagnose/diagnose.js';
import { loadRenderer, renderReport } from '../../src/report/render.js';
import { explainText } from '../../src/explain/explain.js';
import { collectProxy, proxyCertInputs, withProxyEvidence } from '../../src/collect/proxy.js';
import { parseAdminJson, parseCerts, parsePrometheus, parseSecrets, parseStatsJson } from '../../src/evidence/envoy-parse.js';
import { containsSecret } from '../../src/redact.js';
import { mesh, NOW, leaf, DAY } from '../support/pki.js';
import { crlPem } from '../support/crl.js';
import { certsPayload, configDumpPayload, istioStats, proxyEvidence, statsPayload } from '../support/fake-envoy-admin.js';
import { alert, hs } from '../rules/transport/fixtures.js';
import { sourceLabel } from '../../src/report/source-label.js';

// markdown and Slack are imported on demand (src/report/render.ts): every format is rendered here.
await loadRenderer('markdown');
await loadRenderer('slack');

// ------------------------------------------------------------------------------------------------ PRNG
/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next: () => number;
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
}
export const rngOf = (seed: number): Rng => {
  const next = prng(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)]! };
};

// ------------------------------------------------------------------------------------------------ mutators
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0x30, 0x31, 0x04, 0x03, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1c, 0x1e, 0xa0, 0xa3];

/** Byte-level mutations, DER-aware where cheap (length octets, tags, truncation, duplication, splicing). */
export function mutateBytes(input: Uint8Array, r: Rng, others: readonly Uint8Array[] = []): Uint8Array {
  let b = Buffer.from(input);
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds; k++) {
    if (b.length === 0) b = Buffer.from([r.int(256)]);
    const i = r.int(b.length);
    switch (r.int(10)) {
      case 0:
        b[i] = b[i]! ^ (1 << r.int(8));
        break;
      case 1:
        b[i] = r.pick(INTERESTING);
        break;
      case 2: {
        // A length octet: make it long-form, huge, zero or indefinite.
        const lens = [0x80, 0x81, 0x84, 0x85, 0xff, 0x00, 0x7f];
        b[i] = r.pick(lens);
        break;
      }
      case 3:
        b = b.subarray(0, i);
        break;
      case 4: {
        const j = Math.min(b.length, i + 1 + r.int(64));
        b = Buffer.concat([b.subarray(0, i), b.subarray(j)]);
        break;
      }
      case 5: {
        const j = Math.min(b.length, i + 1 + r.int(64));
        b = Buffer.concat([b.subarray(0, j), b.subarray(i, j), b.subarray(j)]);
        break;
      }
      case 6: {
        const o = others.length ? r.pick(others) : b;
        const s = r.int(Math.max(1, o.length));
        b = Buffer.concat([b.subarray(0, i), Buffer.from(o.subarray(s, s + 1 + r.int(128))), b.subarray(i)]);
        break;
      }
      case 7: {
        // A UniversalString/BMPString/UTF8String element with hostile contents, inserted.
        const tag = r.pick([0x1c, 0x1e, 0x0c, 0x13, 0x14]);
        const body = Buffer.from([r.int(256), r.int(256), r.int(256), r.int(256), r.int(256)].slice(0, 1 + r.int(5)));
        b = Buffer.concat([b.subarray(0, i), Buffer.from([tag, body.length]), body, b.subarray(i)]);
        break;
      }
      case 8:
        if (b.length >= 2) b.writeUInt16BE(r.int(65536), Math.min(i, b.length - 2));
        break;
      default:
        b = Buffer.concat([b, Buffer.from(Array.from({ length: 1 + r.int(16) }, () => r.int(256)))]);
    }
  }
  return b;
}

const TOKENS = [
  '-----BEGIN CERTIFICATE-----',
  '-----END CERTIFICATE-----',
  '-----BEGIN X509 CRL-----',
  '\n',
  '\r\n',
  '\\n',
  '"',
  '\\',
  '\u0000',
  '\uffff',
  '\ud800',
  '😀',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  'null',
  '-1',
  '1e309',
  '9007199254740993',
  'NaN',
  'x'.repeat(300),
  'TLSV1_ALERT_UNKNOWN_CA',
  'CERTIFICATE_VERIFY_FAILED',
  'verify cert failed: SAN matcher',
  'certificate has expired',
  'x509: certificate signed by unknown authority',
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268436504:SSL routines:OPENSSL_internal:',
];

/** Text-level mutations: tokens inserted, spans deleted or repeated, characters replaced, cut short. */
export function mutateText(input: string, r: Rng, inserts: readonly string[] = []): string {
  let s = input;
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds; k++) {
    const i = r.int(s.length + 1);
    switch (r.int(7)) {
      case 0:
        s = s.slice(0, i) + r.pick(TOKENS) + s.slice(i);
        break;
      case 1:
        s = s.slice(0, i) + s.slice(i + 1 + r.int(80));
        break;
      case 2: {
        const j = Math.min(s.length, i + 1 + r.int(200));
        s = s.slice(0, j) + s.slice(i, j).repeat(1 + r.int(5)) + s.slice(j);
        break;
      }
      case 3:
        s = s.slice(0, i) + String.fromCharCode(r.int(0x3000)) + s.slice(i + 1);
        break;
      case 4:
        s = s.slice(0, i);
        break;
      case 5:
        if (inserts.length) s = s.slice(0, i) + r.pick(inserts) + s.slice(i);
        break;
      default:
        s = s.slice(0, i) + String(r.pick([0, -1, 2 ** 53, 1e308, 0.5])) + s.slice(i);
    }
  }
  return s;
}

/** JSON-level mutations: a value replaced by a hostile one, lists emptied or multiplied, keys dropped. */
export function mutateJson(value: unknown, r: Rng, inserts: readonly string[] = []): unknown {
  const copy = structuredClone(value);
  const paths: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      paths.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
      walk(x, depth + 1);
    }
  };
  walk(copy, 0);
  if (paths.length === 0) return r.pick([null, 0, '', [], {}]);
  const rounds = 1 + r.int(3);
  for (let k = 0; k < rounds; k++) {
    const { parent, key } = r.pick(paths);
    const p = parent as Record<string | number, unknown>;
    const old = p[key];
    const hostile: unknown[] = [
      null,
      0,
      -1,
      2 ** 64,
      1e308,
      '',
      'x',
      true,
      [],
      {},
      [null],
      [{}],
      'x'.repeat(1 + r.int(5000)),
      inserts.length ? r.pick(inserts) : '',
      typeof old === 'string' ? mutateText(old, r, inserts) : old,
      Array.isArray(old) ? [...old, ...old] : old,
      Array.isArray(old) ? [] : old,
      typeof old === 'string' && /^[A-Za-z0-9+/=]+$/.test(old) && old.length > 8 ? Buffer.from(mutateBytes(Buffer.from(old, 'base64'), r)).toString('base64') : old,
      old && typeof old === 'object' ? structuredClone(old) : old,
    ];
    const v = r.pick(hostile);
    if (r.int(10) === 0 && !Array.isArray(parent)) delete p[key];
    else p[key] = v;
  }
  return copy;
}

// ------------------------------------------------------------------------------------------------ oracles
/** Runs `fn`; anything but an MtlsDoctorError is a crash (returned as its message). */
export async function expectOnlyOurErrors(fn: () => unknown): Promise<string | null> {
  try {
    await fn();
    return null;
  } catch (e) {
    if (e instanceof MtlsDoctorError && e.code !== 'E_INTERNAL') return null;
    return `${(e as Error)?.constructor?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`.slice(0, 300);
  }
}

// ------------------------------------------------------------------------------------------------ targets
export interface CaseResult {
  /** Why the case failed (a crash or a leak); null when it held. */
  failure: string | null;
}

/** The input of the last case run (for the runner to save when the case fails). */
export const last: { input: string | Uint8Array | null; output: string } = { input: null, output: '' };

export interface FuzzTarget {
  name: string;
  /** Builds the seeds (once per process). */
  setup(): Promise<void>;
  /**
   * Runs case `i` of the stream for `seed`: the parser always, and with `pipeline` the whole diagnosis too
   * (facts, rules, every output format, the saved bundle) — the seeded suite does that for one case in ten.
   */
  run(seed: number, i: number, pipeline?: boolean): Promise<CaseResult>;
}

const FORMATS = ['text', 'json', 'markdown', 'slack'] as const;

interface Seeds {
  certs: Uint8Array[];
  certPems: string[];
  trustPem: string;
  chainPem: string;
  crls: Uint8Array[];
  adminPayloads: Record<string, string[]>;
  bundles: unknown[];
  pastes: string[];
  keys: string[];
  keyBodies: string[];
  keyWhole: string[][];
}

let seeds: Seeds | null = null;

async function buildSeeds(): Promise<Seeds> {
  if (seeds) return seeds;
  const m = await mesh();
  const rsa = await mesh({ leaf: { keyAlg: 'rsa-2048' } as never, inter: { keyAlg: 'rsa-2048' } as never }).catch(() => m);
  const expired = await leaf(m.inter, { notAfter: new Date(NOW - DAY) });
  const certs = [m.leaf, m.inter, m.root, rsa.leaf, rsa.inter, expired];
  const crlTexts = [await crlPem(m.inter, { entries: [{ serial: m.leaf.cert.serialNumber.toLowerCase() }] }), await crlPem(m.root, {}), await crlPem(m.inter, { nextUpdate: null, crlNumber: null })];
  const crls = crlTexts.flatMap((t) => decodeCrls(t, 'seed'));
  const chain = [m.leaf, m.inter];
  const spec = { chain, roots: [m.root], warming: ['kubernetes://other'], served: [m.leaf] };
  const adminPayloads: Record<string, string[]> = {
    secrets: [JSON.stringify(configDumpPayload(spec, 'dynamic_active_secrets')), JSON.stringify(configDumpPayload(spec, null)), JSON.stringify(configDumpPayload({ chain, roots: [m.root], camel: true }, null))],
    certs: [JSON.stringify(certsPayload(spec))],
    stats: [JSON.stringify(statsPayload(istioStats({ outbound: { ssl_fail_verify_error: 3, ssl_handshake: 10 } }), null))],
    prometheus: ['# TYPE istio_agent_cert_expiry_seconds gauge\nistio_agent_cert_expiry_seconds{resource_name="default"} 80000\nistio_agent_num_failed_outgoing_requests{request_type="csr"} 2\n'],
  };
  // Fixed keys (built from fixed private bytes), so that a failing case replays exactly.
  const scalar = (n: number) => Buffer.from(Array.from({ length: 32 }, (_, k) => (n * 37 + k * 11 + 1) & 0xff));
  const ed = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), scalar(1)]), format: 'der', type: 'pkcs8' });
  const ec = createPrivateKey({ key: Buffer.concat([Buffer.from('30310201010420', 'hex'), scalar(2), Buffer.from('a00a06082a8648ce3d030107', 'hex')]), format: 'der', type: 'sec1' });
  const keys = [
    ed.export({ type: 'pkcs8', format: 'pem' }) as string,
    ec.export({ type: 'sec1', format: 'pem' }) as string,
    (ed.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
    JSON.stringify(ec.export({ type: 'pkcs8', format: 'pem' })).slice(1, -1),
  ];
  // The secret part of each key's base64: the characters that encode only private-scalar bytes (the structure
  // and the public key around it are the same for many keys, or public).
  const secretRange = (der: Buffer, key: typeof ed) => {
    const d = Buffer.from((key.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
    const at = der.indexOf(d);
    return { b64: der.toString('base64'), from: Math.ceil(at / 3) * 4, to: Math.floor((at + d.length) / 3) * 4 };
  };
  const secretParts = [
    secretRange(ed.export({ type: 'pkcs8', format: 'der' }) as Buffer, ed),
    secretRange(ec.export({ type: 'sec1', format: 'der' }) as Buffer, ec),
    secretRange(ec.export({ type: 'pkcs8', format: 'der' }) as Buffer, ec),
  ];
  const keyBodies = secretParts.map((p) => p.b64.slice(p.from, p.to));
  // The forms in which each key counts as whole: its full base64 (PKCS#8 or SEC1; the EC key appears as both).
  const keyWhole = [[secretParts[0]!.b64], [secretParts[1]!.b64, secretParts[2]!.b64], [secretParts[2]!.b64, secretParts[1]!.b64]];
  const base = evidenceFromInputs({ label: sourceLabel,
    chain: { name: 'chain.pem', data: chain.map((c) => c.pem).join('') },
    trust: [{ name: 'root.pem', data: m.root.pem }],
    ca: [{ name: 'ca.pem', data: m.inter.pem + m.root.pem }],
    crls: [{ name: 'ca-crl.pem', data: crlTexts[0]! }],
    expectId: 'spiffe://cluster.local/ns/demo/sa/web',
    symptom: 'TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA',
    target: { kind: 'files', chain: 'chain.pem' },
    at: NOW,
    now: () => NOW,
  });
  const withProxy = {
    ...base,
    proxy: proxyEvidence({ chain, roots: [m.root], served: [m.leaf], warming: ['ROOTCA2'], agentExpiresAt: NOW + DAY, stats: [{ at: NOW, values: { 'cluster.outbound|9080||reviews.ssl.fail_verify_error': 3 } }, { at: NOW + 10_000, values: { 'cluster.outbound|9080||reviews.ssl.fail_verify_error': 9 } }] }),
    handshakes: [alert('workload', 48, 'unknown_ca'), hs('anonymous', { kind: 'success' }, { peerChain: [m.leaf.pem, m.inter.pem] })],
  };
  const bundles = [JSON.parse(serializeEvidence(base)), JSON.parse(serializeEvidence(withProxy as never))];
  const pastes = [
    'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA',
    '[2026-11-29T02:47:12.000Z] "GET / HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure,TLS_error:_268435581:SSL_routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED}',
    'transport: authentication handshake failed: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "Mesh Root CA")',
    'verify cert failed: SAN matcher; curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; Error: certificate has expired (CERT_HAS_EXPIRED)',
    'warning envoy config external/envoy/source/extensions/transport_sockets/tls/ssl_socket.cc:52 Secret is not supplied by SDS',
  ];
  seeds = { certs: certs.map((c) => c.der), certPems: certs.map((c) => c.pem), trustPem: m.root.pem, chainPem: m.leaf.pem + m.inter.pem, crls, adminPayloads, bundles, pastes, keys, keyBodies, keyWhole };
  return seeds;
}

const flatten = (t: string) => t.replace(/\\+[nrt]|\s+/g, '');

/**
 * A leak: private-key bytes (12 characters of a key's secret part) in the output, for every key that is still
 * whole in the input (line breaks, spaces and escapes aside). A key the mutator cut into pieces and spliced with
 * other text is no longer a key form any tool could load; the redactor still removes most of those, but the
 * oracle does not count what is left of them.
 */
function leakOf(text: string, s: Seeds, input: string): string | null {
  const flat = flatten(text);
  const inFlat = flatten(input);
  for (const [k, body] of s.keyBodies.entries()) {
    if (!s.keyWhole[k]!.some((w) => inFlat.includes(w))) continue;
    for (let i = 0; i + 12 <= body.length; i += 6) if (flat.includes(body.slice(i, i + 12))) return `leak: private-key bytes "${body.slice(i, i + 12)}" in the output`;
  }
  if (containsSecret(text)) return 'leak: the output holds a private key';
  return null;
}

const renderAll = (report: ReturnType<typeof evaluate>) => FORMATS.map((f) => renderReport(report, f, { color: f === 'text' })).join('\n');

export const certificates: FuzzTarget = {
  name: 'certificates',
  setup: async () => void (await buildSeeds()),
  async run(seed, i, pipeline = true) {
    const s = seeds!;
    const r = rngOf(seed * 1_000_003 + i);
    const asPem = r.int(3) === 0;
    const der = mutateBytes(r.pick(s.certs), r, s.certs);
    const input: string | Uint8Array = asPem ? mutateText(r.pick(s.certPems), r, [Buffer.from(der).toString('base64')]) : der;
    const crash = await expectOnlyOurErrors(() => {
      for (const b of decodeCertificates(input, 'fuzz')) parseCertificate(b.der, 'fuzz #1');
    });
    if (crash || !pipeline) return { failure: crash };
    // The whole pipeline: the mutated certificate as the chain's leaf, and as a trust anchor.
    return {
      failure: await expectOnlyOurErrors(() => {
        const chain = typeof input === 'string' ? input : Buffer.concat([Buffer.from(input), Buffer.from(s.chainPem)]);
        const ev = evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: chain }, trust: [{ name: 'trust', data: s.trustPem }], target: { kind: 'library' }, at: NOW, now: () => NOW });
        renderAll(evaluate(ev, rules, { label: sourceLabel, pasted: pastedSymptom }));
        if (r.int(4) === 0) {
          const ev2 = evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: s.chainPem }, trust: [{ name: 'trust', data: input }], target: { kind: 'library' }, at: NOW, now: () => NOW });
          evaluate(ev2, rules, { label: sourceLabel, pasted: pastedSymptom });
        }
      }),
    };
  },
};

export const crls: FuzzTarget = {
  name: 'crls',
  setup: async () => void (await buildSeeds()),
  async run(seed, i, pipeline = true) {
    const s = seeds!;
    const r = rngOf(seed * 1_000_033 + i);
    const der = mutateBytes(r.pick(s.crls), r, s.crls);
    const crash = await expectOnlyOurErrors(() => {
      for (const d of decodeCrls(der, 'fuzz.crl')) parseCrl(d, 'fuzz.crl');
    });
    if (crash || !pipeline) return { failure: crash };
    return {
      failure: await expectOnlyOurErrors(() => {
        const ev = evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: s.chainPem }, trust: [{ name: 'trust', data: s.trustPem }], crls: [{ name: 'fuzz.crl', data: der }], target: { kind: 'library' }, at: NOW, now: () => NOW });
        renderAll(evaluate(ev, rules, { label: sourceLabel, pasted: pastedSymptom }));
      }),
    };
  },
};

/** One MockAgent for the whole run; each case sets the bodies it answers with. */
let mock: MockAgent | null = null;
const answers: { byPath: Record<string, { status: number; body: string }> } = { byPath: {} };
const ADMIN = 'http://envoy-admin.fuzz:15000';
const AGENT = 'http://pilot-agent.fuzz:15020';

function mockAgent(): MockAgent {
  if (mock) return mock;
  mock = new MockAgent();
  mock.disableNetConnect();
  for (const origin of [ADMIN, AGENT]) {
    mock
      .get(origin)
      .intercept({ path: () => true, method: 'GET' })
      .reply((o) => {
        const path = String(o.path).split('?')[0]!.replace(/^\//, '');
        const a = answers.byPath[`${origin}/${path}`] ?? answers.byPath[path] ?? { status: 404, body: 'not found' };
        return { statusCode: a.status, data: a.body, responseOptions: { headers: { 'content-type': 'application/json' } } };
      })
      .persist();
  }
  return mock;
}

export const envoyAdmin: FuzzTarget = {
  name: 'envoy-admin',
  setup: async () => {
    await buildSeeds();
    mockAgent();
  },
  async run(seed, i, pipeline = true) {
    const s = seeds!;
    const r = rngOf(seed * 1_000_037 + i);
    const mutate = (text: string) => {
      const k = r.int(3);
      if (k === 0) return mutateText(text, r, s.keys);
      try {
        return JSON.stringify(mutateJson(JSON.parse(text), r, s.keys));
      } catch {
        return mutateText(text, r, s.keys);
      }
    };
    const pick = (k: string) => r.pick(s.adminPayloads[k]!);
    const which = r.int(5);
    const body = (k: string, n: number) => (which === n || r.int(6) === 0 ? mutate(pick(k)) : pick(k));
    const secrets = body('secrets', 0);
    last.input = secrets;
    const statuses = [200, 200, 200, 200, 500, 404, 503];
    answers.byPath = {
      config_dump: { status: r.pick(statuses), body: secrets },
      certs: { status: 200, body: body('certs', 1) },
      stats: { status: 200, body: body('stats', 2) },
      [`${AGENT}/stats/prometheus`]: { status: 200, body: body('prometheus', 3) },
      [`${AGENT}/healthz/ready`]: { status: r.pick([200, 503]), body: '' },
    };
    // The pure parsers on the same bodies, then the collector and the whole pipeline through undici.
    const crash = await expectOnlyOurErrors(() => {
      for (const [k, b] of [['secrets', secrets], ['certs', answers.byPath.certs!.body], ['stats', answers.byPath.stats!.body]] as const) {
        const j = parseAdminJson(b, k);
        if (!j.ok) continue;
        if (k === 'secrets') parseSecrets(j.value);
        if (k === 'certs') parseCerts(j.value);
        if (k === 'stats') parseStatsJson(j.value);
      }
      parsePrometheus(answers.byPath[`${AGENT}/stats/prometheus`]!.body);
    });
    if (crash || !pipeline) return { failure: crash };
    let out = '';
    const failure = await expectOnlyOurErrors(async () => {
      const c = await collectProxy({ label: sourceLabel, envoyAdmin: ADMIN, agent: AGENT, auto: false, env: {}, now: () => NOW, dispatcher: mockAgent(), timeoutMs: 2000, budgetMs: 4000 });
      const inputs = proxyCertInputs(c);
      const ev = evidenceFromInputs({ label: sourceLabel, chain: inputs.chain, trust: inputs.trust, target: { kind: 'pod' }, at: NOW, now: () => NOW });
      const full = withProxyEvidence(ev, c);
      const report = evaluate(full, rules, { label: sourceLabel, pasted: pastedSymptom });
      out = renderAll(report) + serializeEvidence(full);
    });
    last.input = JSON.stringify(answers.byPath);
    last.output = out;
    return { failure: failure ?? leakOf(out, s, secrets + JSON.stringify(answers.byPath)) };
  },
};

export const bundles: FuzzTarget = {
  name: 'bundles',
  setup: async () => void (await buildSeeds()),
  async run(seed, i, pipeline = true) {
    const s = seeds!;
    const r = rngOf(seed * 1_000_039 + i);
    const b = r.pick(s.bundles);
    const text = r.int(4) === 0 ? mutateText(JSON.stringify(b, null, 2), r, s.keys) : JSON.stringify(mutateJson(b, r, s.keys), null, r.int(2) ? 2 : 0);
    last.input = text;
    let out = '';
    const failure = await expectOnlyOurErrors(async () => {
      const bundle = parseEvidence(text, 'fuzz.json');
      out = serializeEvidence(bundle);
      if (pipeline) {
        // The replay as users run it: the one pipeline (validation, replay guard, redaction), then every format.
        const { report } = await diagnoseWithEvidence({ evidence: text });
        out += renderAll(report);
      }
    });
    last.output = out;
    return { failure: failure ?? leakOf(out, s, text) };
  },
};

export const pasted: FuzzTarget = {
  name: 'pasted-text',
  setup: async () => void (await buildSeeds()),
  async run(seed, i, pipeline = true) {
    const s = seeds!;
    const r = rngOf(seed * 1_000_081 + i);
    // Every case carries a key somewhere in the paste: whatever else happens to the text, it must not come out.
    const key = r.pick(s.keys);
    let text = mutateText(r.pick(s.pastes), r, s.keys);
    const at = r.int(text.length + 1);
    text = text.slice(0, at) + (r.int(2) ? '\n' : ' ') + key + (r.int(2) ? '\n' : ' ') + text.slice(at);
    last.input = text;
    let out = '';
    const failure = await expectOnlyOurErrors(() => {
      const report = explainText(text, { at: NOW });
      out = renderAll(report);
      if (pipeline && r.int(3) === 0) {
        const ev = evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: s.chainPem }, trust: [{ name: 'trust', data: s.trustPem }], symptom: text, target: { kind: 'library' }, at: NOW, now: () => NOW });
        out += renderAll(evaluate(ev, rules, { label: sourceLabel, pasted: pastedSymptom })) + serializeEvidence(ev);
      }
    });
    last.output = out;
    return { failure: failure ?? leakOf(out, s, text) };
  },
};

export const TARGETS: readonly FuzzTarget[] = [certificates, crls, envoyAdmin, bundles, pasted];
