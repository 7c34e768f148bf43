/**
 * rotation status names the new root by notBefore. Two roots made the same day used to be told apart by their
 * fingerprints alone, so a leaf issued under the new root before every pod trusted it could be reported as the
 * old root "removed while used". The tie is broken by what the fleet shows instead.
 */
import { describe, expect, it } from 'vitest';
import { rotationStatus, type RootInfo, type RotationInput } from '../../src/fleet/rotation.js';

const DAY = 86_400_000;
const T = Date.parse('2026-11-01T00:00:00Z');
const pods = ['shop/a', 'shop/b', 'shop/c'];

function input(o: { oldFp: string; newFp: string; newNotAfter?: number; caIssuesUnder?: string[] }): RotationInput {
  const old: RootInfo = { key: 'old', fingerprint: o.oldFp, subject: 'Old Root', notBefore: T, notAfter: T + 10 * 365 * DAY, trustedBy: pods, inConfigMaps: 1 };
  const nw: RootInfo = { key: 'new', fingerprint: o.newFp, subject: 'New Root', notBefore: T, notAfter: o.newNotAfter ?? T + 10 * 365 * DAY, trustedBy: ['shop/a', 'shop/b'], inConfigMaps: 0 };
  return {
    roots: [old, nw],
    pods,
    // One pod already serves a leaf of the new root; shop/c does not trust it yet.
    chainsTo: new Map([['shop/a', 'new'], ['shop/b', 'old'], ['shop/c', 'old']]),
    podTrust: new Map([['shop/a', ['new', 'old']], ['shop/b', ['new', 'old']], ['shop/c', ['old']]]),
    setup: 'unknown',
    ...(o.caIssuesUnder ? { caIssuesUnder: o.caIssuesUnder } : {}),
  };
}

describe('rotation status with two roots of the same notBefore', () => {
  it.each([
    ['the new root\'s fingerprint sorts first', { oldFp: 'ff'.repeat(32), newFp: '00'.repeat(32) }],
    ['the new root\'s fingerprint sorts last', { oldFp: '00'.repeat(32), newFp: 'ff'.repeat(32) }],
    ['the CA issues under it', { oldFp: 'ff'.repeat(32), newFp: '00'.repeat(32), caIssuesUnder: ['new'] }],
    ['it expires later', { oldFp: 'ff'.repeat(32), newFp: '00'.repeat(32), newNotAfter: T + 20 * 365 * DAY }],
  ])('%s: issuing-before-trusted, naming the pod that lacks it', (_n, o) => {
    const s = rotationStatus(input(o));
    expect(s.violations.map((v) => [v.kind, v.root, v.pods])).toEqual([['issuing-before-trusted', o.newFp, ['shop/c']]]);
    expect(s.newRoots).toEqual([o.newFp]);
    expect(s.phase).toBe(4);
  });
});
