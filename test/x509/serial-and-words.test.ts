/**
 * Issue 9 point 12: serials as openssl, Envoy and istioctl print them (no DER sign byte), and the wording bugs
 * ("[trusted by trust]" is in test/report/wrap.test.ts; the WARMING duplicates in test/collect/real-payloads.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { issue } from '../../src/x509/issue.js';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { serialText } from '../../src/x509/certificate.js';
import { rules } from '../../rules/index.js';
import { crlPem, evidenceWith } from '../support/crl.js';
import { NOW, intermediate, leaf, mesh, root, t, HOUR, WEB_ID } from '../support/pki.js';
import { hs, probeOnly } from '../rules/transport/fixtures.js';
import { tempDir } from '../support/cli.js';
import { sourceLabel } from '../../src/report/source-label.js';

describe('serial numbers', () => {
  it('drop the DER sign byte and leading zero bytes, nothing else', () => {
    expect(serialText('00e37589aa')).toBe('e37589aa');
    expect(serialText('000001')).toBe('01');
    expect(serialText('00')).toBe('00');
    expect(serialText('7f01')).toBe('7f01');
    expect(serialText('ff01')).toBe('ff01');
  });

  it('an openssl-built certificate with a high-bit serial reads as `openssl x509 -serial` prints it', async () => {
    const d = tempDir();
    try {
      const run = (...a: string[]) => execFileSync('openssl', a, { cwd: d.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=serial test', '-days', '30', '-set_serial', '0xE37589A0C1D2E3F40516273849AABBCC');
      const printed = run('x509', '-in', 'c.pem', '-noout', '-serial').trim().replace(/^serial=/, '');
      expect(printed).toBe('E37589A0C1D2E3F40516273849AABBCC');
      const report = await diagnose({ chain: readFileSync(`${d.dir}/c.pem`, 'utf8') });
      expect(report.chains[0]!.certificates[0]!.serial).toBe(printed.toLowerCase());
      expect(JSON.stringify(report)).not.toMatch(/00e37589/);
    } finally {
      d.cleanup();
    }
  });

  it('a CRL still revokes a high-bit serial (both sides read the same way)', async () => {
    const m = await mesh();
    const l = await issue({ subject: '', notBefore: t(-2 * HOUR), notAfter: t(22 * HOUR), issuer: m.inter, uris: [WEB_ID], eku: ['serverAuth', 'clientAuth'], serial: 'e37589a0c1d2e3f4' });
    const ev = await evidenceWith({ chain: [l, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { entries: [{ serial: 'e37589a0c1d2e3f4' }] })] });
    const report = evaluate(ev, rules, { label: sourceLabel });
    expect(report.chains[0]!.certificates[0]!.serial).toBe('e37589a0c1d2e3f4');
    const f = report.findings.find((x) => x.rule === 'chain/certificate-revoked');
    expect(f?.explanation).toMatch(/lists serial e37589a0c1d2e3f4 /);
  });
});

describe('words', () => {
  it('"An intermediate CA", never "A intermediate"', () => {
    for (const r of rules) expect(`${r.meta.title} ${r.meta.description} ${Object.values(r.meta.messages).join(' ')}`).not.toMatch(/\bA intermediate\b|\ba intermediate\b/);
  });

  it('"1 certificate", not "1 certificate(s)"', async () => {
    const r = await root();
    const i = await intermediate(r);
    const l = await leaf(i);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], ca: [i.pem], at: NOW });
    const f = report.findings.find((x) => x.rule === 'chain/incomplete-chain')!;
    expect(f.explanation).toMatch(/presents 1 certificate but not/);
    expect(JSON.stringify(report)).not.toMatch(/certificate\(s\)/);
  });

  it('the chain top of a leaf with an empty subject is named by its SAN, not ""', async () => {
    const stranger = await root('Stranger CA');
    const r = await root();
    const l = await leaf(stranger);
    const report = await diagnose({ chain: l.pem, trust: [r.pem], at: NOW });
    const f = report.findings.find((x) => x.rule === 'chain/unknown-authority')!;
    expect(f.evidence.map((e) => e.detail).join('\n')).not.toMatch(/chain top: ""/);
  });

  it('a probe timeout reads "within 5 s", not "within 5009 ms"', () => {
    const ev = probeOnly([hs('anonymous', { kind: 'timeout', phase: 'handshake', afterMs: 5009 })]);
    const report = evaluate(ev, rules, { label: sourceLabel });
    expect(report.symptom!.detail).toMatch(/within 5 s$/);
    expect(report.findings[0]!.explanation).toMatch(/within 5 s\./);
  });
});
