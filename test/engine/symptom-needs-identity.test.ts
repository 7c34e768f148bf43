/**
 * Issue 9 point 10: `--symptom 'verify cert failed: SAN matcher'` without `--expect-id` lists
 * san/identity-mismatch as not evaluated for want of it, as a rule that would explain the symptom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { NOW, leaf, root, spiffe } from '../support/pki.js';
import { runCli, tempDir } from '../support/cli.js';

const SYMPTOM = 'verify cert failed: SAN matcher';

describe('a symptom that needs an identity to be explained', () => {
  it('without --expect-id: san/identity-mismatch is not evaluated, needs --expect-id, and would explain the symptom', async () => {
    const r = await root();
    const l = await leaf(r);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], symptom: SYMPTOM, at: NOW });
    expect(report.findings.filter((f) => f.explainsSymptom)).toEqual([]);
    const n = report.notEvaluated.find((x) => x.rule === 'san/identity-mismatch');
    expect(n).toMatchObject({ reason: 'insufficient-evidence', explainsSymptom: true });
    expect(n!.missing.join(' ')).toMatch(/--expect-id/);
    // Rules that could not explain it carry no such mark (the key check, the CRL rules), however much they miss.
    const marked = report.notEvaluated.filter((x) => x.explainsSymptom).map((x) => x.rule);
    expect(marked).toContain('san/identity-mismatch');
    expect(marked).not.toContain('chain/key-mismatch');
    expect(marked.filter((r) => r.startsWith('chain/') || r.startsWith('expiry/'))).toEqual([]);
  });

  it('with --expect-id naming another workload, it is found and explains the symptom', async () => {
    const r = await root();
    const l = await leaf(r);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], symptom: SYMPTOM, expectId: spiffe('demo', 'other'), at: NOW });
    expect(report.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', explainsSymptom: true });
  });

  describe('the text report suggests it', () => {
    const d = tempDir();
    let chain: string;
    beforeAll(async () => {
      const r = await root();
      chain = d.file('chain.pem', (await leaf(r)).pem + r.pem);
    });
    afterAll(() => d.cleanup());

    it('right under "Nothing in this evidence explains the symptom"', () => {
      const out = runCli(['diagnose', '--chain', chain, '--symptom', SYMPTOM, '--at', new Date(NOW).toISOString()], { env: { COLUMNS: '' } });
      expect(out.stdout).toMatch(/Nothing in this evidence explains the symptom[^\n]*\n {2}san\/identity-mismatch would explain it but was not evaluated: it needs the expected identity \(--expect-id spiffe:\/\/TD\/ns\/NS\/sa\/SA\)/);
    });
  });
});
