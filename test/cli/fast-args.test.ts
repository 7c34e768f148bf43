/**
 * The plain `diagnose` line is read without yargs (src/cli/fast-args.ts, for start-up): it must hand the command
 * exactly what yargs hands it, and leave every other line to yargs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastDiagnoseArgs } from '../../src/cli/fast-args.js';
import { main, parseOnly } from '../../src/cli/main.js';
import { bindStdinDashes } from '../../src/cli/stdin-dashes.js';
import { parseAndRun } from '../../src/cli/yargs-main.js';
import type { Io } from '../../src/cli/io.js';
import { tempDir } from '../support/cli.js';
import { intermediate, leaf, mesh, NOW, root, t, HOUR, MIN, YEAR, WEB_ID } from '../support/pki.js';

const CHAIN = ['--chain', 'chain.pem'];

/** Lines read without yargs: the common forms, every string flag, arrays given once and repeated. */
const FAST: string[][] = [
  ['diagnose'],
  ['diagnose', ...CHAIN],
  ['diagnose', ...CHAIN, '--key', 'key.pem', '--trust', 'root.pem', '--expect-id', 'spiffe://cluster.local/ns/a/sa/b', '--at', '2026-11-29T03:00:00Z', '-o', 'json'],
  ['diagnose', '--chain=chain.pem', '--trust=a.pem', '--trust', 'b.pem', '--output=markdown'],
  ['diagnose', ...CHAIN, '--trust', 'a.pem', '--trust', 'b.pem', '--peer-trust', 'old.pem', '--ca', 'ca.pem', '--crl', 'x.crl'],
  ['diagnose', ...CHAIN, '--role', 'client', '--fail-on', 'warning', '--verifier', 'go', '--max-depth', '3', '--symptom', 'CERTIFICATE_VERIFY_FAILED'],
  ['diagnose', ...CHAIN, '--max-depth', '10', '--at', '2026', '--expect-id', '123'],
  ['diagnose', '--evidence', 'bundle.json', '-o', 'slack', '--save-evidence', 'out.json'],
  ['diagnose', '--peer', 'reviews:9080', '--peer-id', 'spiffe://td/ns/a/sa/b', '--sni', 'x', '--alpn', 'istio', ...CHAIN],
  ['diagnose', '--envoy-admin', 'http://127.0.0.1:15000', '--agent', 'http://127.0.0.1:15020', '--proxy-root', '/'],
  ['diagnose', '-n', 'shop', '-l', 'app', '--context', 'east', '--kubeconfig', 'k.yaml', '--image', 'img:1', '--from-namespace', 'a'],
  ['diagnose', ...CHAIN, '--thresholds', 't.json', '--output', 'text'],
  ['diagnose', ...CHAIN, '--at', 'true', '--symptom', 'null'],
  ['diagnose', ...CHAIN, '--symptom', 'TLS error: 268436502:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED', '--peer', 'explain'],
  ['diagnose', '--chain', 'ünïcode path/with space.pem', '--at', '1e3', '--max-depth', '0x10'],
];

/** Lines left to yargs: its messages and readings stay the CLI's. */
const SLOW: string[][] = [
  [],
  ['diagnose', '-l', 'app=web'],
  ['explain', 'x'],
  ['diagnose', 'pod/web'],
  ['diagnose', ...CHAIN, 'extra'],
  ['diagnose', '--trust', 'a.pem', 'b.pem'],
  ['diagnose', ...CHAIN, '--chain', 'again.pem'],
  ['diagnose', ...CHAIN, '-o', 'json', '--output', 'text'],
  ['diagnose', ...CHAIN, '--help'],
  ['diagnose', ...CHAIN, '-h'],
  ['diagnose', ...CHAIN, '--version'],
  ['diagnose', ...CHAIN, '--debug'],
  ['diagnose', '--chain'],
  ['diagnose', '--chain', ''],
  ['diagnose', '--chain='],
  ['diagnose', '--chain', '-'],
  ['diagnose', '--chain', '"quoted.pem"'],
  ['diagnose', '--chain', "'quoted.pem'"],
  ['diagnose', '--chain=a=b.pem'],
  ['diagnose', ...CHAIN, '-o', 'yaml'],
  ['diagnose', ...CHAIN, '--role', 'nobody'],
  ['diagnose', ...CHAIN, '--window', '10'],
  ['diagnose', ...CHAIN, '--max-pods', '3'],
  ['diagnose', ...CHAIN, '--in-pod'],
  ['diagnose', ...CHAIN, '--read-ca-secrets'],
  ['diagnose', ...CHAIN, '--no-in-pod'],
  ['diagnose', ...CHAIN, '--chian', 'x'],
  ['diagnose', ...CHAIN, '--', 'x'],
  ['diagnose', ...CHAIN, '-ojson'],
  ['diagnose', ...CHAIN, '--at', '-1'],
  ['diagnose', ...CHAIN, '--get-yargs-completions'],
  ['diagnose', '--CHAIN', 'x'],
  ['diagnose', '--expectId', 'x'],
  ['diagnose', '--chain.x', 'x'],
  ['--debug', 'diagnose', ...CHAIN],
];

describe('the plain diagnose line, read without yargs', () => {
  it.each(FAST.map((a) => [a.join(' '), a]))('%s: as yargs reads it', async (_s, argv) => {
    const fast = fastDiagnoseArgs(bindStdinDashes(argv as string[]));
    expect(fast).not.toBeNull();
    expect(fast).toEqual(await parseOnly(argv as string[]));
  });

  it.each(SLOW.map((a) => [a.join(' ') || '(nothing)', a]))('%s: left to yargs', (_s, argv) => {
    expect(fastDiagnoseArgs(bindStdinDashes(argv as string[]))).toBeNull();
  });

  it('the kubectl plugin name is the $0 yargs gives', () => {
    expect(fastDiagnoseArgs(['diagnose', ...CHAIN], 'kubectl mtls-doctor')?.$0).toBe('kubectl mtls-doctor');
  });
});

describe('a diagnosis read without yargs and with it', () => {
  const tmp = tempDir('mtls-doctor-fast-args-');
  let f: Record<string, string>;
  beforeAll(async () => {
    const m = await mesh();
    const r0 = await root();
    const expired = await intermediate(r0, 'Istio Intermediate', { notBefore: t(-YEAR), notAfter: t(-13 * MIN) });
    const l = await leaf(expired, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    f = {
      chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem),
      key: tmp.file('key.pem', await m.leaf.keyPem()),
      trust: tmp.file('root.pem', m.root.pem),
      broken: tmp.file('broken.pem', l.pem + expired.pem),
      otherRoot: tmp.file('other-root.pem', r0.pem),
    };
  });
  afterAll(() => tmp.cleanup());

  const run = async (how: (argv: string[], io: Io) => Promise<number>, argv: string[]) => {
    let out = '';
    let err = '';
    const io: Io = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) }, env: { NO_COLOR: '1' }, now: () => NOW };
    const code = await how(argv, io);
    return { code, out, err };
  };
  const at = ['--at', new Date(NOW).toISOString()];
  const lines = (): string[][] => [
    ['diagnose', '--chain', f.chain!, '--key', f.key!, '--trust', f.trust!, '--expect-id', WEB_ID, ...at],
    ['diagnose', '--chain', f.chain!, '--key', f.key!, '--trust', f.trust!, '--expect-id', WEB_ID, ...at, '-o', 'json'],
    ['diagnose', '--chain', f.broken!, '--trust', f.otherRoot!, '--peer-trust', f.trust!, ...at, '-o', 'markdown', '--fail-on', 'warning'],
    ['diagnose', '--chain', f.broken!, '--trust', f.otherRoot!, ...at, '-o', 'slack', '--symptom', 'CERTIFICATE_VERIFY_FAILED'],
    ['diagnose', '--chain', f.chain!, '--key', f.trust!, ...at],
    ['diagnose', '--chain', tmp.dir + '/missing.pem', ...at],
    ['diagnose', '--chain', f.chain!, '--at', 'yesterday'],
    ['diagnose', '--chain', f.chain!, '--expect-id', 'spiffe://x/ns', ...at, '-o', 'json'],
  ];

  it('prints the same report or error and exits alike', async () => {
    for (const argv of lines()) {
      expect(fastDiagnoseArgs(argv), argv.join(' ')).not.toBeNull();
      const fast = await run(main, argv);
      expect(fast.out + fast.err, argv.join(' ')).not.toBe('');
      expect(fast, argv.join(' ')).toEqual(await run(parseAndRun, argv));
    }
  });
});
