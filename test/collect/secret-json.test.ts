/**
 * Issue 9 point 5: `--chain` accepts the JSON people have off the pod — `istioctl proxy-config secret POD -o
 * json` and an Envoy config_dump — taking the `default` secret as the chain and ROOTCA as the trust bundle
 * (unless --trust is given). Tested on real payloads from istioctl's test data (test/fixtures/istio/README.md).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli, tempDir } from '../support/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'istio');
const ISTIO = join(FIXTURES, 'secret-istio-config_dump.json');
const SPIRE = join(FIXTURES, 'secret-spire-config_dump.json');
/** Inside the real leaf's 24 h (notBefore 2023-05-15T01:30:52Z, notAfter 2023-05-16T01:32:52Z). */
const AT = '2023-05-15T12:00:00Z';

/** snake_case → camelCase keys, as protojson prints them for `istioctl proxy-config secret -o json`. */
function camelize(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(camelize);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k.startsWith('@') ? k : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelize(v)]));
  return x;
}

const d = tempDir();
afterAll(() => d.cleanup());
const json = (args: string[]) => {
  const r = runCli(['diagnose', ...args, '-o', 'json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : null };
};

describe('--chain with an Envoy config_dump (istioctl testdata, istiod-issued)', () => {
  it('judges the default secret as the chain and ROOTCA as the trust bundle', () => {
    const r = json(['--chain', ISTIO, '--at', AT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report.verdict).toBe('healthy');
    const [leaf, root] = r.report.chains[0].certificates;
    // The serial istioctl prints for this certificate (lowercase, no DER sign byte).
    expect(leaf).toMatchObject({ serial: '6fbee254c22900615cb1f74e3d2f1713', identities: ['spiffe://cluster.local/ns/ambient/sa/namespace-istio-waypoint'] });
    expect(root).toMatchObject({ serial: '0193a543fe2b0d9cd4847675394dfc54', trustedBy: ['trust'] });
    expect(r.report.sources.map((s: { name: string }) => s.name)).toEqual([`chain: envoy secret "default" in ${ISTIO}`, `trust: envoy secret "ROOTCA" in ${ISTIO}`]);
  });

  it('today the leaf is long expired, and the verify command reads the certificate out of the same JSON', () => {
    const r = json(['--chain', ISTIO, '--at', '2026-11-29T03:00:00Z']);
    expect(r.code).toBe(1);
    const f = r.report.findings.find((x: { rule: string }) => x.rule === 'expiry/leaf-expired');
    expect(f).toBeTruthy();
    expect(f.verify).toMatch(/^jq -r .* \| base64 -d .*\| openssl x509 -noout -enddate -checkend 0$/);
    let out = '';
    try {
      execFileSync('bash', ['-c', f.verify], { encoding: 'utf8', cwd: FIXTURES });
    } catch (e) {
      out = (e as { stdout: string }).stdout; // -checkend 0 exits 1 for an expired certificate
    }
    expect(out).toMatch(/notAfter=May 16 01:32:52 2023 GMT/);
    expect(out).toMatch(/Certificate will expire/);
  });

  it('reads the camelCase SecretsConfigDump that istioctl proxy-config secret -o json prints', () => {
    const dump = JSON.parse(readFileSync(ISTIO, 'utf8')).configs[0];
    const file = d.file('istioctl-secret.json', JSON.stringify(camelize(dump), null, 2));
    const r = json(['--chain', file, '--at', AT]);
    expect(r.code).toBe(0);
    expect(r.report.chains[0].certificates.map((c: { serial: string }) => c.serial)).toEqual(['6fbee254c22900615cb1f74e3d2f1713', '0193a543fe2b0d9cd4847675394dfc54']);
    expect(r.report.chains[0].certificates[1].trustedBy).toEqual(['trust']);
  });

  it('--trust, when given, is the trust bundle instead of ROOTCA', () => {
    const other = d.file('other-root.pem', execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Some Other Root', '-days', '3650'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const r = json(['--chain', ISTIO, '--trust', other, '--at', AT]);
    expect(r.code).toBe(1);
    expect(r.report.findings[0].rule).toBe('chain/unknown-authority');
    expect(r.report.sources.map((s: { name: string }) => s.name)).toContain(`trust: ${other}`);
  });
});

describe('--chain with a SPIRE config_dump (per-trust-domain bundles)', () => {
  it('uses every trust domain bundle as the trust bundle, and says that none anchors this leaf', () => {
    const r = json(['--chain', SPIRE, '--at', AT]);
    expect(r.code).toBe(1);
    expect(r.report.sources.map((s: { name: string }) => s.name)).toEqual([
      `chain: envoy secret "default" in ${SPIRE}`,
      `trust: envoy secret "ROOTCA" trust domain east.local in ${SPIRE}`,
      `trust: envoy secret "ROOTCA" trust domain west.local in ${SPIRE}`,
    ]);
    const f = r.report.findings[0];
    expect(f.rule).toBe('chain/unknown-authority');
    expect(f.explanation).toMatch(/"East Root CA", "West Root CA"/);
  });

  it('--trust given as the same JSON takes ROOTCA from it', () => {
    const r = json(['--chain', ISTIO, '--trust', SPIRE, '--at', AT]);
    expect(r.report.sources.map((s: { name: string }) => s.name)).toContain(`trust: envoy secret "ROOTCA" trust domain east.local in ${SPIRE}`);
    expect(r.report.findings[0].rule).toBe('chain/unknown-authority');
  });
});

describe('JSON that is not a secrets dump', () => {
  it('is one clear line naming the flag and what was expected', () => {
    const notDump = d.file('stats.json', JSON.stringify({ stats: [{ name: 'server.live', value: 1 }] }));
    const r = runCli(['diagnose', '--chain', notDump]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/Cannot read --chain ".*stats\.json": JSON, but no secrets in it; expected PEM, DER, or the JSON of `istioctl proxy-config secret POD -o json` or an Envoy \/config_dump/);
  });

  it('a default that is still WARMING is named as such', () => {
    const dump = JSON.parse(readFileSync(ISTIO, 'utf8'));
    const secrets = dump.configs[0];
    secrets.dynamic_warming_secrets.push({ name: 'default', version_info: 'uninitialized', secret: { name: 'default' } });
    secrets.dynamic_active_secrets = secrets.dynamic_active_secrets.filter((s: { name: string }) => s.name !== 'default');
    const r = runCli(['diagnose', '--chain', d.file('warming.json', JSON.stringify(dump))]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/hold no "default" certificate chain: "default" is WARMING, Envoy never received it over SDS/);
  });

  it('broken JSON is a clear line too', () => {
    const r = runCli(['diagnose', '--chain', d.file('cut.json', readFileSync(ISTIO, 'utf8').slice(0, 300))]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/starts like JSON but is not valid JSON/);
  });
});

describe('--help', () => {
  it('says that --chain takes the istioctl / config_dump JSON', () => {
    const r = runCli(['diagnose', '--help'], { env: { COLUMNS: '' } });
    expect(r.stdout).toMatch(/--chain .*istioctl proxy-config secret POD -o json.*config_dump/);
  });
});
