/**
 * Bad input gets one clear line naming the file and the problem, exit code 2, no stack trace, no hang —
 * and input that is merely unusual (DER, CRLF, stray whitespace, a root in the chain) is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { issue } from '../../src/x509/issue.js';
import { isOneLineError, runCli, tempDir } from '../support/cli.js';
import { mesh, t, DAY, type Issued } from '../support/pki.js';

let tmp: ReturnType<typeof tempDir>;
let m: { root: Issued; inter: Issued; leaf: Issued };
let chain: string;
let trust: string;
const AT = ['--at', '2026-11-29T03:00:00Z'];

beforeAll(async () => {
  tmp = tempDir();
  m = await mesh();
  chain = tmp.file('chain.pem', m.leaf.pem + m.inter.pem);
  trust = tmp.file('root.pem', m.root.pem);
});
afterAll(() => tmp.cleanup());

/** A PEM block built at run time, so that no committed file contains a private-key header for scanners to flag. */
const pemBlock = (label: string, body: string) => `${'-'.repeat(5)}BEGIN ${label}${'-'.repeat(5)}\n${body}\n${'-'.repeat(5)}END ${label}${'-'.repeat(5)}\n`;

function expectBadInput(args: string[], pattern: RegExp) {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(isOneLineError(r.stderr), `not one clean line:\n${r.stderr}`).toBe(true);
  expect(r.stderr).toMatch(pattern);
  expect(r.stdout).toBe('');
  return r;
}

describe('bad input: one line, exit 2', () => {
  it('missing file', () => expectBadInput(['diagnose', '--chain', join(tmp.dir, 'nope.pem')], /Cannot read --chain file ".*nope\.pem": no such file/));
  it('a directory', () => expectBadInput(['diagnose', '--chain', tmp.dir], /is a directory/));
  it('an empty file', () => expectBadInput(['diagnose', '--chain', tmp.file('empty.pem', '')], /Cannot read --chain ".*empty\.pem": the file is empty/));
  it('whitespace only', () => expectBadInput(['diagnose', '--chain', tmp.file('ws.pem', ' \n\t\n')], /it is empty/));
  it('garbage bytes', () => expectBadInput(['diagnose', '--chain', tmp.file('garbage.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))], /garbage\.bin: it is neither PEM nor DER/));
  it('bare base64 without PEM headers', () => expectBadInput(['diagnose', '--chain', tmp.file('bare.b64', Buffer.from(m.leaf.der).toString('base64'))], /without the "-----BEGIN CERTIFICATE-----" header/));
  it('a private key where a certificate belongs', async () => expectBadInput(['diagnose', '--chain', tmp.file('key-as-chain.pem', await m.leaf.keyPem())], /holds a private key, not a certificate/));
  it('a CSR where a certificate belongs', () =>
    expectBadInput(['diagnose', '--chain', tmp.file('req.csr', '-----BEGIN CERTIFICATE REQUEST-----\nMIIBADCBqAIBADA=\n-----END CERTIFICATE REQUEST-----\n')], /certificate signing request/));
  it('truncated PEM (no END line)', () => expectBadInput(['diagnose', '--chain', tmp.file('trunc.pem', m.leaf.pem + m.inter.pem.slice(0, 200))], /truncated/));
  it('PEM whose body is cut short', () => {
    const body = m.leaf.pem.split('\n');
    const cut = [body[0], ...body.slice(1, 4), body[body.length - 2]].join('\n') + '\n';
    expectBadInput(['diagnose', '--chain', tmp.file('short.pem', cut)], /short\.pem.*(truncated|not a valid X\.509|not DER)/);
  });
  it('a 50 MB file is refused before it is read', () => {
    const big = tmp.file('big.pem', Buffer.alloc(50 * 1024 * 1024, 0x41));
    const r = expectBadInput(['diagnose', '--chain', big], /50\.0 MiB, over the 4\.0 MiB limit/);
    expect(r.ms).toBeLessThan(10_000);
  });
  it('a 100,000-certificate bundle is refused, in bounded time', () => {
    const one = m.root.pem;
    const n = Math.ceil((4 * 1024 * 1024) / one.length) - 1; // just under the byte limit: the count limit must trip
    const r = expectBadInput(['diagnose', '--chain', chain, '--trust', tmp.file('many.pem', one.repeat(n))], /more than 1000 certificates/);
    expect(r.ms).toBeLessThan(10_000);
    const huge = tmp.file('huge.pem', one.repeat(100_000));
    expectBadInput(['diagnose', '--chain', chain, '--trust', huge], /over the 4\.0 MiB limit/);
  });
  it('a certificate where the key belongs', () => expectBadInput(['diagnose', '--chain', chain, '--key', trust], /holds a certificate, not a private key/));
  it('an encrypted key', () =>
    expectBadInput(['diagnose', '--chain', chain, '--key', tmp.file('enc.key', pemBlock('ENCRYPTED PRIVATE KEY', 'MIIB'))], /encrypted; decrypt it first/));
  it('an unknown output format', () => expectBadInput(['diagnose', '--chain', chain, '-o', 'yaml'], /^mtls-doctor: Cannot use --output "yaml": use text, json, markdown or slack$/m));
  it('an unknown flag', () => expectBadInput(['diagnose', '--chian', chain], /Unknown option --chian \(did you mean --chain\?\)/));
  it('an invalid --at', () => expectBadInput(['diagnose', '--chain', chain, '--at', 'yesterday'], /Cannot use --at "yesterday": expected an ISO 8601 time/));
  it('a malformed --expect-id SPIFFE ID', () => expectBadInput(['diagnose', '--chain', chain, '--expect-id', 'spiffe://Cluster.Local/ns/a'], /not a valid SPIFFE ID \(trust domain has uppercase letters\)/));
  it('a thresholds file with an unknown key', () => expectBadInput(['diagnose', '--chain', chain, '--thresholds', tmp.file('th.json', '{"leaf":{"warnPct":3}}')], /unknown key "leaf\.warnPct" \(valid: warnFraction/));
  it('a thresholds file that is not JSON', () => expectBadInput(['diagnose', '--chain', chain, '--thresholds', tmp.file('th2.json', 'warn: 3')], /: it is not JSON$/m));
  it('an evidence file that is not a bundle', () => expectBadInput(['diagnose', '--evidence', tmp.file('ev.json', '{"hello":1}')], /not an mtls-doctor evidence bundle/));
  it('--evidence combined with --chain', () => expectBadInput(['diagnose', '--evidence', tmp.file('ev2.json', '{}'), '--chain', chain], /Cannot combine --evidence/));
  it('--trust without --chain', () => expectBadInput(['diagnose', '--trust', trust], /without a certificate chain/));
  it('no command', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Give a command/);
  });
});

describe('no evidence at all: exit 3', () => {
  it('diagnose with nothing to read says what to give', () => {
    const r = runCli(['diagnose'], { env: { MTLS_DOCTOR_NO_AUTODETECT: '1' } });
    expect([3]).toContain(r.code);
    expect(r.stderr).toMatch(/No evidence/);
    expect(isOneLineError(r.stderr)).toBe(true);
  });
});

describe('unusual but valid input is accepted', () => {
  it('DER instead of PEM', () => {
    const der = tmp.file('leaf.der', m.leaf.der);
    const r = runCli(['diagnose', '--chain', der, '--trust', trust, '--ca', tmp.file('inter.pem', m.inter.pem), '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(1); // leaf alone: the intermediate is missing from what is presented
    expect(JSON.parse(r.stdout).findings[0].rule).toBe('chain/incomplete-chain');
  });
  it('concatenated DER certificates', () => {
    const r = runCli(['diagnose', '--chain', tmp.file('chain.der', Buffer.concat([m.leaf.der, m.inter.der])), '--trust', trust, '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(0);
  });
  it('CRLF line endings, stray whitespace and text between blocks', () => {
    const messy = `subject=leaf\r\n\r\n  ${m.leaf.pem.replace(/\n/g, '\r\n')}\r\n# comment\r\n${m.inter.pem.replace(/\n/g, '  \r\n')}\n\n`;
    const r = runCli(['diagnose', '--chain', tmp.file('crlf.pem', messy), '--trust', trust, '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('healthy');
  });
  it('chain out of order, with a duplicate and the root included', () => {
    const r = runCli(['diagnose', '--chain', tmp.file('messy.pem', m.inter.pem + m.root.pem + m.leaf.pem + m.inter.pem), '--trust', trust, '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.chains[0].certificates.map((c: { role: string }) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
  });
  it('Ed25519 and RSA certificates are handled', async () => {
    const r0 = await issue({ subject: 'CN=Ed Root', notBefore: t(-DAY), notAfter: t(300 * DAY), ca: true, keyAlg: 'ed25519' });
    const l = await issue({ subject: 'CN=rsa leaf', notBefore: t(-DAY), notAfter: t(DAY), issuer: r0, keyAlg: 'rsa-2048', uris: ['spiffe://cluster.local/ns/a/sa/b'] });
    const r = runCli(['diagnose', '--chain', tmp.file('ed.pem', l.pem), '--trust', tmp.file('edroot.pem', r0.pem), '--key', tmp.file('rsa.key', await l.keyPem()), '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.verdict).toBe('healthy');
  });
  it('RSA-PSS keys and signatures (made by OpenSSL) are verified and matched', () => {
    const dir = tmp.dir;
    const sh = (cmd: string) => execSync(cmd, { cwd: dir, stdio: 'pipe', shell: '/bin/bash' });
    sh('openssl req -x509 -newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -nodes -keyout pss-ca.key -out pss-ca.pem -subj "/CN=PSS Root" -days 400 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign"');
    sh('openssl req -newkey rsa-pss -pkeyopt rsa_keygen_bits:2048 -nodes -keyout pss-leaf.key -out pss-leaf.csr -subj "/CN=pss-leaf"');
    sh('openssl x509 -req -in pss-leaf.csr -CA pss-ca.pem -CAkey pss-ca.key -CAcreateserial -out pss-leaf.pem -days 5 -sigopt rsa_padding_mode:pss -extfile <(printf "subjectAltName=URI:spiffe://cluster.local/ns/a/sa/b\\nextendedKeyUsage=serverAuth,clientAuth\\nkeyUsage=critical,digitalSignature")');
    const r = runCli(['diagnose', '--chain', join(dir, 'pss-leaf.pem'), '--key', join(dir, 'pss-leaf.key'), '--trust', join(dir, 'pss-ca.pem'), '--expect-id', 'spiffe://cluster.local/ns/a/sa/b', '-o', 'json']);
    expect(r.stderr).toBe('');
    const rep = JSON.parse(r.stdout);
    expect(rep.findings.map((f: { rule: string }) => f.rule)).toEqual([]);
    expect(rep.notEvaluated.filter((n: { reason: string }) => n.reason === 'rule-error')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('non-UTF-8 bytes in a subject name do not break parsing or output', async () => {
    // A Latin-1 "é" (0xE9) inside a UTF8String CN: invalid UTF-8, as some old CAs produce.
    const c = await issue({ subject: 'CN=caf\u00e9 root', notBefore: t(-DAY), notAfter: t(DAY), ca: true });
    const der = Buffer.from(c.der);
    const at = der.indexOf(Buffer.from('caf\u00c3\u00a9', 'latin1'));
    expect(at).toBeGreaterThan(0);
    // Replace the two UTF-8 bytes of é with 0xE9 0x21 ("é" in Latin-1, then "!"): same length, invalid UTF-8.
    der[at + 3] = 0xe9;
    der[at + 4] = 0x21;
    const r = runCli(['diagnose', '--chain', tmp.file('latin1.der', der), '-o', 'json', ...AT]);
    expect([0, 1]).toContain(r.code);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toBe('');
  });
});

describe('a file the user cannot read', () => {
  // Root reads every file, so this can only be shown as another user.
  it.skipIf(process.getuid?.() === 0)('says permission denied', () => {
    const p = tmp.file('secret.pem', m.leaf.pem);
    chmodSync(p, 0);
    expectBadInput(['diagnose', '--chain', p], /permission denied/);
  });
});
