/**
 * The library's wrongly typed arguments (issue 15: 113 of 353 tried threw TypeError/RangeError): every one is
 * now an MtlsDoctorError with a code and a sentence naming the field — or, where the value is usable, a report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose, explain, MtlsDoctorError } from '../../src/index.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import { mesh, NOW, type Issued } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
beforeAll(async () => {
  m = await mesh();
});

const HOSTILE: Array<[string, unknown]> = [
  ['null', null],
  ['0', 0],
  ['-1', -1],
  ['2**64', 2 ** 64],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['empty string', ''],
  ['a word', 'x'],
  ['true', true],
  ['{}', {}],
  ['[]', []],
  ['[null]', [null]],
  ['[{}]', [{}]],
  ['[42]', [42]],
  ['1n', 1n],
  ['an invalid Date', new Date(NaN)],
  ['a function', () => 1],
  ['an empty Uint8Array', new Uint8Array(0)],
  ['a Map', new Map()],
  ['an ArrayBuffer', new ArrayBuffer(8)],
  ['nested lists', [['x']]],
];
const FIELDS = ['chain', 'key', 'trust', 'peerTrust', 'ca', 'crls', 'maxChainDepth', 'role', 'expectId', 'at', 'thresholds', 'symptom', 'evidence'];

describe('diagnose(): every field, every hostile value', () => {
  it(`${FIELDS.length} fields × ${HOSTILE.length} values: a report or an MtlsDoctorError with a code, never anything else`, async () => {
    const bad: string[] = [];
    for (const field of FIELDS) {
      for (const [name, value] of HOSTILE) {
        try {
          await diagnose({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem, at: NOW, [field]: value } as never);
        } catch (e) {
          if (!(e instanceof MtlsDoctorError) || !/^E_[A-Z_]+$/.test(e.code)) bad.push(`${field}: ${name} → ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          else if (!/^Cannot /.test(e.message)) bad.push(`${field}: ${name} → message "${e.message}"`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it.each([
    ['at: 2**64', { at: 2 ** 64 }, /^Cannot use --at "18446744073709552000": expected an ISO 8601 time/],
    // The pipeline's type check (src/diagnose/plan.ts) names the flag; the value checks name the field.
    ['chain: null', { chain: null }, /^Cannot (use --chain: expected PEM or DER|diagnose: "chain" is null)/],
    ['trust: [42]', { trust: [42] }, /^Cannot (use --trust: expected PEM or DER|diagnose: "trust\[0\]" is number 42)/],
    ['role: "x"', { role: 'x' }, /^Cannot (use --role "x": expected client, server or both|diagnose: "role" is "x")/],
    ['maxChainDepth: 1.5', { maxChainDepth: 1.5 }, /^Cannot (use --max-depth "1\.5"|diagnose: "maxChainDepth" is number 1\.5)/],
    ['symptom: 42', { symptom: 42 }, /^Cannot (use --symptom: expected a string|diagnose: "symptom" is number 42)/],
  ])('%s: E_USAGE naming the field', async (_, extra, message) => {
    await expect(diagnose({ chain: m.leaf.pem, trust: m.root.pem, ...extra } as never)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(message) });
  });

  it('evidence: {}: E_USAGE naming the field', async () => {
    await expect(diagnose({ evidence: {} } as never)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^Cannot diagnose: "evidence" is not a usable evidence bundle: not an mtls-doctor evidence bundle/) });
  });

  it('not an object at all', async () => {
    for (const v of [undefined, null, 42, 'chain.pem', [m.leaf.pem]]) {
      await expect(diagnose(v as never)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^Cannot diagnose: /) });
    }
  });

  it('an evidence bundle with a wrongly typed field deep inside: one clear error', async () => {
    const good = evidenceFromInputs({ label: sourceLabel, chain: { name: 'c', data: m.leaf.pem + m.inter.pem }, trust: [{ name: 't', data: m.root.pem }], target: { kind: 'library' }, at: NOW });
    const mutations: Array<(b: Record<string, unknown>) => void> = [
      (b) => ((b.certificates as Record<string, unknown>).trust = null),
      (b) => ((b.certificates as Record<string, unknown>).trust = [{ source: 't', pems: [42] }]),
      (b) => ((b.options as Record<string, unknown>).thresholds = null),
      (b) => ((b.options as Record<string, unknown>).role = 7),
      (b) => (b.evaluatedAt = 'yesterday'),
      (b) => (b.sources = [null]),
      (b) => (b.handshakes = [{}]),
      (b) => (b.proxy = { secrets: [], served: [], stats: [], files: [null] }),
      (b) => (b.key = { type: 'ec' }),
      (b) => ((b.certificates as Record<string, { pems: string[] }>).chain!.pems = ['not a pem']),
    ];
    for (const mutate of mutations) {
      const b = structuredClone(good) as unknown as Record<string, unknown>;
      mutate(b);
      const err = await diagnose({ evidence: b as never }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, mutate.toString()).toBeInstanceOf(MtlsDoctorError);
    }
    await expect(diagnose({ evidence: good })).resolves.toMatchObject({ schemaVersion: 1 });
    const { checkDiagnoseArguments } = await import('../../src/diagnose/check-arguments.js');
    const cyclic = structuredClone(good) as unknown as Record<string, unknown>;
    cyclic.self = cyclic;
    expect(() => checkDiagnoseArguments({ evidence: cyclic })).toThrow(/cannot be serialised/);
  });

  it('valid arguments pass through unchanged', async () => {
    const { checkDiagnoseArguments } = await import('../../src/diagnose/check-arguments.js');
    const o = { chain: m.leaf.pem, trust: [m.root.pem, Buffer.from(m.root.der)], at: new Date(NOW), role: 'client', maxChainDepth: 3, extra: 'ignored' };
    expect(checkDiagnoseArguments(o)).toBe(o);
  });
});

describe('explain(): options', () => {
  it.each([[{ at: 2 ** 64 }], [{ at: {} }], [null], [42]])('%j: E_USAGE', async (o) => {
    await expect(explain('TLSV1_ALERT_UNKNOWN_CA', o as never)).rejects.toMatchObject({ code: 'E_USAGE' });
  });
  it('non-string text: E_USAGE', async () => {
    for (const t of [null, 42, {}, ['x']]) await expect(explain(t as never)).rejects.toBeInstanceOf(MtlsDoctorError);
  });
});
