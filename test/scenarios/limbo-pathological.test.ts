/**
 * x509-limbo's pathological namespace (C2SP/x509-limbo, kept in test/fixtures/x509-limbo/): certificate cycles,
 * chains of 100 intermediate CAs (same or distinct subjects and keys: Go's TestPathologicalChain), the "chain of
 * pain", and name constraints with 2048 entries against 2048 names. Under every verifier profile the analysis
 * finishes (the test timeout bounds it), and its verdict is the suite's: never a "healthy" (or "not evaluated") for a
 * chain that leads to no trusted root. Every run goes both ways (CLI and library must agree).
 */
import { describe, expect, it } from 'vitest';
import type { VerifierId } from '../../src/x509/verifiers.js';
import { diagnoseBothWays } from '../support/faces.js';
import { limboCases } from '../support/limbo.js';

const NO_FORECAST = { leaf: { warnFraction: 0, criticalFraction: 0 }, intermediate: { warnDays: 0, criticalDays: 0 }, root: { warnDays: 0, criticalDays: 0 } };
const PROFILES: VerifierId[] = ['envoy', 'ztunnel', 'go', 'strict'];
const PATHOLOGICAL = [...limboCases().values()].filter((c) => c.id.startsWith('pathological::'));

describe("x509-limbo's pathological chains", () => {
  it('the extract holds the whole pathological namespace', () => {
    expect(PATHOLOGICAL.map((c) => c.id.split('::')[1]).sort()).toEqual([
      'intermediate-cycle-distinct-cas',
      'intermediate-cycle-distinct-cas-max-depth',
      'intermediate-cycle-same-logical-ca',
      'multiple-chains-expired-intermediate',
      'nc-dos-1',
      'nc-dos-2',
      'nc-dos-3',
      'pathological-chain-distinct-subject-distinct-key',
      'pathological-chain-distinct-subject-same-key',
      'pathological-chain-same-subject-distinct-key',
      'pathological-chain-same-subject-same-key',
    ]);
  });

  for (const tc of PATHOLOGICAL) {
    it(`${tc.id}: ${tc.expected_result} under every profile`, { timeout: 60_000 }, async () => {
      for (const verifier of PROFILES) {
        const report = await diagnoseBothWays({
          chain: [tc.peer_certificate, ...tc.untrusted_intermediates],
          trust: tc.trusted_certs,
          peerTrust: tc.trusted_certs,
          role: 'server',
          ...(tc.expected_peer_name ? { expectId: tc.expected_peer_name.value } : {}),
          ...(typeof tc.max_chain_depth === 'number' ? { maxChainDepth: tc.max_chain_depth } : {}),
          at: tc.validation_time ?? '2026-06-29T00:00:00Z',
          thresholds: NO_FORECAST,
          verifier,
        });
        const actual = report.verdict === 'failing' ? 'FAILURE' : 'SUCCESS';
        expect(actual, `${verifier}: ${tc.id}: ${report.findings.map((f) => f.rule).join(', ')}`).toBe(tc.expected_result);
        // A chain of 100 intermediate CAs leads to no trusted root, and every verifier says so (issue 22): never a
        // "not evaluated" in place of the verdict.
        if (tc.id.includes('pathological-chain-distinct-subject')) {
          expect(report.findings.map((f) => f.rule), verifier).toContain('chain/unknown-authority');
          expect(report.notEvaluated.filter((n) => n.rule === 'chain/unknown-authority'), verifier).toEqual([]);
        }
      }
    });
  }
});
