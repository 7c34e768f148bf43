/**
 * Issue 9 point 6: text wrapped to the terminal (or COLUMNS), not at all when piped, commands never broken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { renderReport } from '../../src/report/render.js';
import { outputWidth, visible, wrapText, wrapUnits } from '../../src/report/wrap.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir } from '../support/cli.js';
import { NOW, intermediate, leaf, root, t } from '../support/pki.js';

async function expiredIntermediate(): Promise<Report> {
  const r = await root('Mesh Root CA');
  const i = await intermediate(r, 'Istio Intermediate', { notAfter: t(-13 * 60_000) });
  const l = await leaf(i);
  return diagnose({ chain: l.pem + i.pem, trust: [r.pem], at: NOW });
}

const long = (text: string, width: number) => text.split('\n').filter((l) => visible(l) > width && !/^ {4}(verify|docs): /.test(l));

describe('the width to wrap to', () => {
  it('is COLUMNS when set (piped or not), the terminal width on a TTY, and none when piped', () => {
    expect(outputWidth({ isTTY: false }, { COLUMNS: '80' })).toBe(80);
    expect(outputWidth({ isTTY: true, columns: 200 }, { COLUMNS: '132' })).toBe(132);
    expect(outputWidth({ isTTY: true, columns: 200 }, {})).toBe(200);
    expect(outputWidth({ isTTY: false, columns: 200 }, {})).toBeNull();
    expect(outputWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBeNull();
    // A 10-column pane still gets readable lines.
    expect(outputWidth({ isTTY: true, columns: 10 }, {})).toBe(40);
  });
});

describe('commands stay whole', () => {
  it('a command in a fix is one unit, ended by a prose aside in parentheses', () => {
    const units = wrapUnits('Check the sidecar agent: kubectl logs POD -c istio-proxy | grep -iE "cert|sds|csr" (can it reach istiod:15012?)');
    expect(units).toContain('kubectl logs POD -c istio-proxy | grep -iE "cert|sds|csr"');
    expect(units).toContain('(can');
  });

  it('a command inside parentheses ends with them', () => {
    const units = wrapUnits("compare the issuer's SKI with the child's AKI (openssl x509 -noout -text | grep -A1 \"Key Identifier\") first");
    expect(units).toContain('(openssl x509 -noout -text | grep -A1 "Key Identifier")');
    expect(units[units.length - 1]).toBe('first');
  });

  it('a command longer than the line gets a line of its own rather than being broken', () => {
    const out = wrapText('Restart istiod so it loads the new CA: kubectl rollout restart deployment/istiod -n istio-system', 40, '    fix: ', '         ');
    expect(out.split('\n')).toContain('         kubectl rollout restart deployment/istiod -n istio-system');
  });
});

describe('the text report', () => {
  let report: Report;
  beforeAll(async () => {
    report = await expiredIntermediate();
  });

  it('at 80 columns: no prose line is longer, no word is split, fix commands paste as one line', () => {
    const text = renderReport(report, 'text', { color: false, width: 80 });
    expect(long(text, 80)).toEqual([]);
    expect(text).toMatch(/^ {12}kubectl rollout restart deployment\/istiod -n istio-system$/m);
    // The explanation's words all survive, in order, once the wrapping is undone.
    const finding = report.findings[0]!;
    const flat = text.replace(/\n {4}(?! *(evidence|fix|verify|docs):)/g, ' ').replace(/ +/g, ' ');
    expect(flat).toContain(finding.explanation.replace(/ +/g, ' '));
    // The verify command is never wrapped, however long.
    expect(text).toContain(`    verify: ${finding.verify}\n`);
  });

  it('at 200 columns the width is used, not stopped at 100', () => {
    const text = renderReport(report, 'text', { color: false, width: 200 });
    expect(long(text, 200)).toEqual([]);
    expect(text.split('\n').some((l) => l.length > 110 && l.startsWith('    ') && !/verify|docs/.test(l))).toBe(true);
  });

  it('piped (no width): each paragraph is one line', () => {
    const text = renderReport(report, 'text', { color: false, width: null });
    expect(text).toContain(`\n    ${report.findings[0]!.explanation}\n`);
  });

  it('says whose trust bundle anchors a certificate in words', () => {
    const text = renderReport(report, 'text', { color: false, width: null });
    expect(text).toMatch(/root "Mesh Root CA" \[trusted by us and the peer\]|root "Mesh Root CA" \[trusted by us\]/);
    expect(text).not.toMatch(/trusted by trust/);
  });
});

describe('the CLI', () => {
  const d = tempDir();
  let chain: string;
  let trust: string;
  beforeAll(async () => {
    const r = await root('Mesh Root CA');
    const i = await intermediate(r, 'Istio Intermediate', { notAfter: t(-13 * 60_000) });
    const l = await leaf(i);
    chain = d.file('chain.pem', l.pem + i.pem);
    trust = d.file('root.pem', r.pem);
  });
  afterAll(() => d.cleanup());

  it('wraps the report to COLUMNS', () => {
    const narrow = runCli(['diagnose', '--chain', chain, '--trust', trust, '--at', new Date(NOW).toISOString()], { env: { COLUMNS: '80' } });
    expect(narrow.code).toBe(1);
    expect(long(narrow.stdout, 80)).toEqual([]);
    const piped = runCli(['diagnose', '--chain', chain, '--trust', trust, '--at', new Date(NOW).toISOString()], { env: { COLUMNS: '' } });
    expect(piped.stdout.split('\n').some((l) => l.length > 120 && l.startsWith('    ') && !/verify|docs/.test(l))).toBe(true);
  });

  it('--help at COLUMNS=80 fits, and piped it is not pre-wrapped', () => {
    const help = runCli(['diagnose', '--help'], { env: { COLUMNS: '80' } });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
    expect(help.stdout).not.toMatch(/Output format\[choices/);
    const piped = runCli(['diagnose', '--help'], { env: { COLUMNS: '' } });
    // One line per option: the description and its type on the same line.
    expect(piped.stdout).toMatch(/--peer-trust +The trust bundle the peer verifies us with \(default: same as --trust\); repeatable +\[array\]/);
    expect(piped.stdout).not.toMatch(/Output format\[choices/);
  });
});

describe('shell loops', () => {
  it('a for loop in a fix is one unit', () => {
    const units = wrapUnits('Confirm it: for p in POD PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done');
    expect(units).toContain('for p in POD PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done');
    expect(wrapUnits('good for a plain TLS server')).toEqual(['good', 'for', 'a', 'plain', 'TLS', 'server']);
  });
});
