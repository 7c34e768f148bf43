/**
 * A peer name that does not resolve becomes a transport/peer-unreachable finding with the DNS failure as the
 * symptom — through the same evidence → facts → rules path the CLI runs, with an injected resolver so that no
 * DNS query leaves this machine.
 */
import { describe, expect, it } from 'vitest';
import { probeIntoEvidence } from '../../src/probe/collect.js';
import { parsePeer } from '../../src/probe/probe.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { rules } from '../../rules/index.js';
import { NOW } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

describe('an unresolvable peer name', () => {
  it('is transport/peer-unreachable with a dns symptom, not a crash', async () => {
    let connects = 0;
    const base = evidenceFromInputs({ label: sourceLabel, target: { kind: 'files' }, at: NOW, now: () => NOW });
    const ev = await probeIntoEvidence(base, {
      peer: parsePeer('reviews.bookinfo.svc.cluster.local:9080'),
      transport: {
        lookup: async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
        connect: async () => (connects++, Promise.reject(new Error('unused'))),
      },
    });
    const report = evaluate(ev, rules, { label: sourceLabel });
    expect(connects).toBe(0);
    expect(report.findings[0]).toMatchObject({ rule: 'transport/peer-unreachable', rank: 1 });
    expect(report.symptom?.code).toMatch(/^dns:/);
    expect(report.verdict).toBe('failing');
  });
});
