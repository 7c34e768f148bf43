/** `npm start` runs `mtls-doctor demo`: the README's quick start must keep working, offline, in every format. */
import { describe, expect, it } from 'vitest';
import { last247 } from '../../src/demo/example.js';
import { runCli } from '../support/cli.js';

describe('mtls-doctor demo', () => {
  it('probes a local peer and ranks the 02:47 intermediate expiry first, as the symptom\'s explanation', () => {
    const r = runCli(['demo', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.symptom).toMatchObject({ source: 'probe' });
    expect(report.findings[0]).toMatchObject({ rank: 1, rule: 'expiry/intermediate-expired', explainsSymptom: true });
    expect(report.findings[0].explanation).toMatch(/expired at \d{4}-\d\d-\d\dT02:47:00Z/);
    expect(report.chains.map((c: { subject: string }) => c.subject)).toEqual(['local', 'peer']);
  });

  it('text output tells the story first, then the diagnosis', () => {
    const r = runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Built-in example: workload payments/);
    expect(r.stdout).toMatch(/mtls-doctor FAILING/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('the intermediate expired at the last 02:47 UTC, at least a minute ago', () => {
    expect(new Date(last247(Date.parse('2026-11-29T03:00:00Z'))).toISOString()).toBe('2026-11-29T02:47:00.000Z');
    expect(new Date(last247(Date.parse('2026-11-29T02:47:30Z'))).toISOString()).toBe('2026-11-28T02:47:00.000Z');
    expect(new Date(last247(Date.parse('2026-11-29T01:00:00Z'))).toISOString()).toBe('2026-11-28T02:47:00.000Z');
  });
});
