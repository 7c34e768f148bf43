/**
 * The seeded fuzz suite (issue 15): a few thousand mutated certificates, CRLs, Envoy admin payloads, evidence
 * bundles and pasted texts (keys planted in them), each through its parser, and one in ten through the whole
 * pipeline to every output format and the saved bundle. A case fails when anything but an MtlsDoctorError escapes (a crash, exit 70) or a planted key
 * comes out (a leak). Fixed seed: a failure names its case, and `npm run fuzz -- --target NAME --from I --cases 1`
 * replays it. The long run (10,000 per target, peak RSS, hangs) is `npm run fuzz`.
 */
import { describe, expect, it } from 'vitest';
import { TARGETS } from './targets.js';

const SEED = Number(process.env.FUZZ_SEED ?? 15);
/** Parser cases per target; every tenth case also runs the whole pipeline. */
const CASES: Record<string, number> = { certificates: 3000, crls: 3000, 'envoy-admin': 2000, bundles: 2000, 'pasted-text': 2000 };
const scale = Number(process.env.FUZZ_SCALE ?? 1);

describe('fuzz (seeded)', () => {
  for (const target of TARGETS) {
    const n = Math.max(1, Math.round((CASES[target.name] ?? 1000) * scale));
    it(`${target.name}: ${n} cases, no crash, no leak`, async () => {
      await target.setup();
      const failures: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await target.run(SEED, i, i % 10 === 0);
        if (r.failure) failures.push(`case ${i} (seed ${SEED}): ${r.failure}`);
        if (failures.length >= 10) break;
      }
      expect(failures).toEqual([]);
    }, 240_000);
  }
});
