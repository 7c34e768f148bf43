/**
 * The `explain` command end to end through the built CLI (`npm test` builds first): exit codes, the JSON
 * report shape, standard input with its size bound, empty input, and the not-recognised report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { BIN, isOneLineError, runCli, tempDir } from '../support/cli.js';
import { mesh, spiffe, t, DAY, MIN } from '../support/pki.js';

const AT = ['--at', '2026-11-29T03:00:00Z'];
const ALERT_48 = 'TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA';
const DEPTH_1 = 'verify cert failed: X509_verify_cert: certificate verification error at depth 1: certificate has expired';

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/cli.cjs is missing: run `npm run build` (npm test does) before this test');
});

describe('mtls-doctor explain', () => {
  it('likely causes only (an alert): exit 0, text report with the rank-1 cause', () => {
    const r = runCli(['explain', ALERT_48, ...AT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^mtls-doctor explain LIKELY CAUSES/);
    expect(r.stdout).toContain('alert:    TLS alert 48 unknown_ca, received from the peer');
    expect(r.stdout).toMatch(/ 1\. +\d+%  .*\[chain\/unknown-authority\]/);
    // Hypotheses, not alarms: no severity labels, and a command to run that decides.
    expect(r.stdout).not.toMatch(/CRITICAL|ERROR/);
    expect(r.stdout).toMatch(/Decide between them: run\n  \$ mtls-doctor diagnose pod\/CLIENT_POD -n NS --peer SERVICE\.NS:PORT --symptom /);
    expect(r.stderr).toBe('');
  });

  it('the paste states the failed check: verdict failing, exit 1', () => {
    const r = runCli(['explain', DEPTH_1, ...AT, '-o', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe('failing');
    expect(j.findings[0]).toMatchObject({ rank: 1, rule: 'expiry/intermediate-expired', subject: 'peer' });
  });

  it('-o json prints the diagnose report shape with the pasted symptom', () => {
    const r = runCli(['explain', ALERT_48, ...AT, '-o', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['schemaVersion', 'tool', 'evaluatedAt', 'target', 'verdict', 'symptom', 'findings', 'notEvaluated']) expect(j).toHaveProperty(k);
    expect(j).toMatchObject({ schemaVersion: 1, evaluatedAt: '2026-11-29T03:00:00.000Z', verdict: 'unknown', target: { kind: 'pasted' }, symptom: { source: 'pasted', code: 'alert:48' } });
    const f = j.findings[0];
    for (const k of ['rank', 'rule', 'stage', 'subject', 'severity', 'confidence', 'explainsSymptom', 'title', 'explanation', 'evidence', 'remediation', 'verify', 'docs', 'causedBy']) expect(f).toHaveProperty(k);
    expect(f).toMatchObject({ rank: 1, rule: 'chain/unknown-authority', stage: 'chain', subject: 'local', explainsSymptom: true, causedBy: null });
  });

  it('several words are joined into one text (unquoted paste)', () => {
    const r = runCli(['explain', 'remote', 'error:', 'tls:', 'bad', 'certificate', '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).symptom.code).toBe('alert:42');
  });

  it('- reads the text from standard input', () => {
    const r = runCli(['explain', '-', '-o', 'json', ...AT], { input: `some noise\n2026-11-29T02:47:01Z ${ALERT_48}\nmore noise\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).findings[0].rule).toBe('chain/unknown-authority');
  });

  it('text that starts with a dash goes after --', () => {
    const r = runCli(['explain', '-o', 'json', ...AT, '--', '- - - 0 NR filter_chain_not_found']);
    expect(r.code, r.stderr).toBe(0);
    // NR filter_chain_not_found with no TLS in sight: a plaintext client refused by a STRICT inbound (issue 20).
    expect(JSON.parse(r.stdout).findings[0].rule).toBe('policy/strict-plaintext-client');
    expect(JSON.parse(r.stdout).proves).toMatchObject({ rejection: 'no-tls', writer: 'server' });
  });

  it('- together with text arguments is refused', () => {
    const r = runCli(['explain', '-', 'TLS', 'error']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot explain both standard input \(-\) and text arguments/);
  });

  it('standard input over 1 MiB: one line, exit 2', () => {
    const r = runCli(['explain', '-'], { input: 'x'.repeat(1024 * 1024 + 10) });
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/Cannot read the error text from standard input: more than 1 MiB/);
    expect(r.stdout).toBe('');
  });

  it('empty text, blank standard input, or no text at all: one line, exit 2', () => {
    for (const [args, input] of [[['explain', ''], undefined], [['explain', '  '], undefined], [['explain', '-'], ' \n\n'], [['explain'], undefined]] as const) {
      const r = runCli([...args], input === undefined ? {} : { input });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stdout).toBe('');
    }
  });

  it('unrecognised text: a clear "not recognised" report with next steps, exit 0', () => {
    const r = runCli(['explain', 'the build is broken again', ...AT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NOT RECOGNISED/);
    // Text that proves nothing still ends in something to run.
    expect(r.stdout).toContain('Next: run');
    expect(r.stdout).toContain('$ mtls-doctor diagnose --peer HOST:PORT');
    expect(r.stdout).toContain('istioctl proxy-config log POD -n NS --level connection:debug,tls:debug');
    const j = JSON.parse(runCli(['explain', 'the build is broken again', '-o', 'json', ...AT]).stdout);
    expect(j).toMatchObject({ verdict: 'unknown', findings: [], symptom: { code: 'unrecognised' } });
    expect(j.decide.length).toBeGreaterThan(0);
  });

  it('a bare CERTIFICATE_VERIFY_FAILED: at most three candidates in text, the paste once, then what to run; --all shows the rest', () => {
    const r = runCli(['explain', 'CERTIFICATE_VERIFY_FAILED', ...AT]);
    expect(r.code, r.stderr).toBe(0);
    const candidates = r.stdout.split('\n').filter((l) => /^ \d+\. +\d+%  /.test(l));
    expect(candidates).toHaveLength(3);
    expect(r.stdout).toMatch(/3 of \d+; --all shows the rest/);
    // The paste is quoted once, not under every candidate (a command may carry it as its --symptom argument).
    expect(r.stdout.split('\n').filter((l) => /^\s*> /.test(l))).toEqual(['  > CERTIFICATE_VERIFY_FAILED']);
    expect(r.stdout).not.toContain('evidence:');
    expect(r.stdout.split('\n').length).toBeLessThan(45);
    const all = runCli(['explain', 'CERTIFICATE_VERIFY_FAILED', '--all', ...AT]);
    expect(all.stdout.split('\n').filter((l) => /^ \d+\. +\d+%  /.test(l)).length).toBeGreaterThan(3);
  });

  it('markdown and slack render the same report', () => {
    const md = runCli(['explain', ALERT_48, '-o', 'markdown', ...AT]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('`chain/unknown-authority`');
    const slack = runCli(['explain', ALERT_48, '-o', 'slack', ...AT]);
    expect(slack.code).toBe(0);
    expect(JSON.stringify(JSON.parse(slack.stdout))).toContain('chain/unknown-authority');
  });

  it('diagnose --symptom ranks the finding that explains the pasted error first', async () => {
    const tmp = tempDir();
    try {
      const m = await mesh({ inter: { notBefore: t(-400 * DAY), notAfter: t(-13 * MIN) } });
      const chain = tmp.file('chain.pem', m.leaf.pem + m.inter.pem);
      const trust = tmp.file('root.pem', m.root.pem);
      const args = ['diagnose', '--chain', chain, '--trust', trust, '--expect-id', spiffe('demo', 'reviews'), '-o', 'json', ...AT];
      const plain = JSON.parse(runCli(args).stdout);
      expect(plain.findings[0].rule).toBe('expiry/intermediate-expired');
      const r = runCli([...args, '--symptom', 'verify cert failed: SAN matcher']);
      expect(r.code, r.stderr).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.symptom).toMatchObject({ source: 'pasted', code: 'envoy:san-matcher' });
      expect(j.findings[0]).toMatchObject({ rule: 'san/identity-mismatch', explainsSymptom: true });
    } finally {
      tmp.cleanup();
    }
  });
});
