/**
 * The CLI's argv → request mapping, flag by flag: one run with every diagnose flag at once goes both ways
 * (test/support/faces.ts builds the library's request from the contract, independently of src/cli), and each
 * flag must change the report, so a flag the CLI dropped or mis-mapped cannot go unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crlPem, serialOf } from '../support/crl.js';
import { tempDir } from '../support/cli.js';
import { runBothWays } from '../support/faces.js';
import { HOUR, NOW, WEB_ID, intermediate, leaf, root, spiffe, t, type Issued } from '../support/pki.js';
import { closedPort } from '../support/tls-peers.js';

let tmp: ReturnType<typeof tempDir>;
let full: string[];
let port: number;
beforeAll(async () => {
  tmp = tempDir();
  const r0 = await root();
  const other = await root('Other Root');
  const inter = await intermediate(r0, 'Mesh Intermediate', { notAfter: t(20 * 24 * HOUR) });
  const l = await leaf(inter, { notBefore: t(-30 * HOUR), notAfter: t(18 * HOUR), eku: ['serverAuth'], uris: [WEB_ID] });
  port = await closedPort();
  full = [
    'diagnose',
    '--chain', tmp.file('chain.pem', l.pem),
    '--key', tmp.file('key.pem', await l.keyPem()),
    '--trust', tmp.file('root.pem', r0.pem),
    '--peer-trust', tmp.file('other.pem', other.pem),
    '--ca', tmp.file('ca.pem', inter.pem + r0.pem),
    '--crl', tmp.file('crl.pem', await crlPem(inter, { entries: [{ serial: serialOf(l) }] })),
    '--max-depth', '0',
    '--role', 'client',
    '--expect-id', spiffe('demo', 'web', 'other.example'),
    '--at', new Date(NOW).toISOString(),
    '--thresholds', tmp.file('thresholds.json', JSON.stringify({ leaf: { warnFraction: 0.5 } })),
    '--symptom', 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED',
    '--fail-on', 'warning',
    '-o', 'json',
  ];
});
afterAll(() => tmp.cleanup());

/** argv without one flag (and its value). */
const without = (argv: string[], flag: string) => {
  const i = argv.indexOf(flag);
  return [...argv.slice(0, i), ...argv.slice(i + 2)];
};

describe('every diagnose flag, both ways', () => {
  it('the CLI and the library agree with every certificate and evaluation flag given', async () => {
    const r = await runBothWays(full);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  for (const flag of ['--key', '--peer-trust', '--ca', '--crl', '--max-depth', '--role', '--expect-id', '--thresholds', '--symptom', '--at']) {
    it(`${flag} reaches the diagnosis (without it the report differs)`, async () => {
      const a = await runBothWays(full);
      const b = await runBothWays(without(full, flag));
      const strip = (s: string) => ({ ...JSON.parse(s), evaluatedAt: undefined });
      expect(strip(b.stdout)).not.toEqual(strip(a.stdout));
    });
  }

  it('--peer, --peer-id, --sni and --alpn: the same probe plan both ways (a closed port: refused, every attempt)', async () => {
    const probe = [...without(without(full, '--crl'), '--max-depth'), '--peer', `127.0.0.1:${port}`, '--peer-id', spiffe('demo', 'api'), '--sni', 'api.demo.svc.cluster.local', '--alpn', 'istio,h2'];
    const r = await runBothWays(probe);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ kind: 'files', peer: `127.0.0.1:${port}` });
    expect(report.findings.map((f: { rule: string }) => f.rule)).toContain('transport/peer-unreachable');
  });
});
