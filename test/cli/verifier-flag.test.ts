/**
 * `--verifier` end to end, on a PKI built with the openssl CLI: a workload certificate issued with
 * basicConstraints CA:TRUE (the CA certificate mounted as the workload's) passes Envoy with a warning and fails
 * ztunnel; a bad profile name is one line and exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { isOneLineError, runCli, tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
let chain: string;
let trust: string;
// openssl 3.0 cannot back-date `x509 -req`: the certificates start now, and the diagnosis looks a day later.
const AT = ['--at', new Date(Date.now() + 86_400_000).toISOString()];
const ID = 'spiffe://cluster.local/ns/demo/sa/web';

beforeAll(() => {
  tmp = tempDir('mtls-doctor-verifier-');
  const f = (n: string) => `${tmp.dir}/${n}`;
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ext = tmp.file('ext.cnf', [
    '[ca]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash',
    '[leaf]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,keyCertSign', 'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=URI:${ID}`, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', '',
  ].join('\n'));
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('root.key'));
  ssl('req', '-x509', '-new', '-key', f('root.key'), '-subj', '/O=cluster.local/CN=Root CA', '-days', '3650', '-out', f('root.pem'), '-config', ext, '-extensions', 'ca', '-set_serial', '1');
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('leaf.key'));
  ssl('req', '-new', '-key', f('leaf.key'), '-subj', '/O=cluster.local', '-out', f('leaf.csr'), '-config', ext);
  ssl('x509', '-req', '-in', f('leaf.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-set_serial', '2', '-days', '365', '-extfile', ext, '-extensions', 'leaf', '-out', f('leaf.pem'));
  chain = f('leaf.pem');
  trust = f('root.pem');
});
afterAll(() => tmp.cleanup());

describe('--verifier', () => {
  it('envoy (the default) warns, naming ztunnel; ztunnel fails the chain, citing rustls-webpki', () => {
    const envoy = runCli(['diagnose', '--chain', chain, '--trust', trust, '--expect-id', ID, ...AT, '-o', 'json']);
    const asZtunnel = runCli(['diagnose', '--chain', chain, '--trust', trust, '--expect-id', ID, ...AT, '--verifier', 'ztunnel', '-o', 'json']);
    expect(envoy.code).toBe(0);
    expect(asZtunnel.code).toBe(1);
    const finding = (out: string) => (JSON.parse(out) as { findings: Array<{ rule: string; severity: string; explanation: string }> }).findings.find((x) => x.rule === 'chain/leaf-is-ca')!;
    expect(finding(envoy.stdout)).toMatchObject({ severity: 'warning', explanation: expect.stringMatching(/Envoy \(BoringSSL\) accepts it .*ztunnel \(rustls-webpki\).* reject it/) });
    expect(finding(asZtunnel.stdout)).toMatchObject({ severity: 'error', explanation: expect.stringContaining('rustls/webpki src/verify_cert.rs check_basic_constraints()') });
  });

  it('an unknown profile is one line naming the choices, exit 2', () => {
    const r = runCli(['diagnose', '--chain', chain, '--trust', trust, '--verifier', 'openssl']);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain('Cannot use --verifier "openssl": expected one of envoy, ztunnel, go, strict');
  });
});
