/**
 * Replay is the same pipeline: each evaluation option given with a saved bundle changes the report exactly as
 * the same option does on live inputs (the library and the CLI), and each collection option is refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECTION_FIELDS, FLAG } from '../../src/diagnose/index.js';
import { diagnose, diagnoseWithEvidence, exitCode, type DiagnoseRequest, type EvidenceBundle, type Report } from '../../src/index.js';
import { runCliInProcess } from '../support/fake-envoy-admin.js';
import { tempDir } from '../support/cli.js';
import { HOUR, NOW, WEB_ID, intermediate, leaf, root, spiffe, t, type Issued } from '../support/pki.js';
import { nodeTlsPeer, type Peer } from '../support/tls-peers.js';

let tmp: ReturnType<typeof tempDir>;
let r0: Issued;
let inter: Issued;
let l: Issued;
let deep: { chain: string; trust: string };
/** A chain whose only finding is a warning: its intermediate expires in 20 days. */
let warnChain: string;
beforeAll(async () => {
  tmp = tempDir();
  r0 = await root();
  // The intermediate expires in 2 hours; the leaf (serverAuth only, 30 h of 48 h used) is for web.
  inter = await intermediate(r0, 'Mesh Intermediate', { notAfter: t(2 * HOUR) });
  l = await leaf(inter, { notBefore: t(-30 * HOUR), notAfter: t(18 * HOUR), eku: ['serverAuth'], uris: [WEB_ID] });
  const i2 = await intermediate(inter, 'Second Intermediate');
  const l2 = await leaf(i2);
  deep = { chain: l2.pem + i2.pem + inter.pem, trust: r0.pem };
  const i3 = await intermediate(r0, 'Intermediate expiring in 20 days', { notAfter: t(20 * 24 * HOUR) });
  warnChain = (await leaf(i3, { uris: [WEB_ID] })).pem + i3.pem;
});
afterAll(() => tmp.cleanup());

const strip = (r: Report) => ({ ...r, evaluatedAt: undefined });
const rules = (r: Report) => r.findings.map((f) => `${f.rule}${f.explainsSymptom ? '*' : ''}`);

/** Each evaluation option, with a value that changes the diagnosis of the inputs below. */
const OPTIONS: Array<{ name: keyof DiagnoseRequest; value: unknown; argv: string[]; inputs?: 'deep' }> = [
  { name: 'at', value: new Date(NOW + 3 * HOUR).toISOString(), argv: ['--at', new Date(NOW + 3 * HOUR).toISOString()] },
  { name: 'expectId', value: spiffe('demo', 'web', 'other.example'), argv: ['--expect-id', spiffe('demo', 'web', 'other.example')] },
  { name: 'role', value: 'server', argv: ['--role', 'server'] },
  { name: 'thresholds', value: { leaf: { warnFraction: 0.5 } }, argv: ['--thresholds', 'THRESHOLDS'] },
  { name: 'symptom', value: 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: certificate has expired', argv: ['--symptom', 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: certificate has expired'] },
  { name: 'maxChainDepth', value: 0, argv: ['--max-depth', '0'], inputs: 'deep' },
];

const live = (o: (typeof OPTIONS)[number]): DiagnoseRequest =>
  o.inputs === 'deep' ? { chain: deep.chain, trust: deep.trust, at: NOW } : { chain: l.pem + inter.pem, trust: r0.pem, at: NOW };

describe('library: an evaluation option on replay does what it does live', () => {
  for (const o of OPTIONS) {
    it(`${o.name}`, async () => {
      const { evidence } = await diagnoseWithEvidence(live(o));
      const withOption = await diagnose({ ...live(o), [o.name]: o.value });
      const replayed = await diagnose({ evidence, [o.name]: o.value } as DiagnoseRequest);
      expect(strip(replayed)).toEqual(strip(withOption));
      expect(replayed.evaluatedAt).toBe(withOption.evaluatedAt);
      // And the option matters: without it the replay is the bundle as collected.
      const plain = await diagnose({ evidence });
      expect(rules(plain).join() + plain.verdict + JSON.stringify(plain.symptom)).not.toBe(rules(replayed).join() + replayed.verdict + JSON.stringify(replayed.symptom));
    });
  }

  it('a bundle given as its JSON text or as { path } replays like the object', async () => {
    const { evidence, report } = await diagnoseWithEvidence({ chain: l.pem + inter.pem, trust: r0.pem, at: NOW });
    const path = tmp.file('bundle.json', JSON.stringify(evidence));
    expect(await diagnose({ evidence: JSON.stringify(evidence) })).toEqual(report);
    expect(await diagnose({ evidence: { path } })).toEqual(report);
  });

  it('diagnose({ evidence, at }) no longer ignores at (the issue\'s first example)', async () => {
    const { evidence } = await diagnoseWithEvidence({ chain: warnChain, trust: r0.pem, at: NOW });
    expect((await diagnose({ evidence })).verdict).not.toBe('failing');
    expect((await diagnose({ evidence, at: '2030-01-01T00:00:00Z' })).verdict).toBe('failing');
  });

  it('failOn decides the exit code the same way on replay', async () => {
    const { evidence, report } = await diagnoseWithEvidence({ chain: warnChain, trust: r0.pem, at: NOW });
    expect(report.findings.map((f) => f.severity)).toContain('warning');
    expect(report.findings.some((f) => f.severity === 'error' || f.severity === 'critical')).toBe(false);
    expect([exitCode(report, 'error'), exitCode(report, 'warning')]).toEqual([0, 1]);
    const replayed = await diagnose({ evidence, failOn: 'warning' });
    expect([exitCode(replayed, 'error'), exitCode(replayed, 'warning')]).toEqual([0, 1]);
  });
});

describe('library: peerId on replay judges the recorded handshakes as it does live', () => {
  let peer: Peer;
  beforeAll(async () => {
    const peerLeaf = await leaf(inter, { uris: [spiffe('demo', 'api')], eku: ['serverAuth', 'clientAuth'] });
    peer = await nodeTlsPeer({ chain: [peerLeaf, inter], key: peerLeaf });
  });
  afterAll(async () => peer.stop());

  it('peerId', async () => {
    const base: DiagnoseRequest = { chain: l.pem + inter.pem, key: await l.keyPem(), trust: r0.pem, peer: `127.0.0.1:${peer.port}`, at: NOW };
    const other = spiffe('demo', 'reviews');
    const withOption = await diagnose({ ...base, peerId: other });
    const { evidence } = await diagnoseWithEvidence(base);
    const replayed = await diagnose({ evidence, peerId: other });
    expect(rules(replayed)).toEqual(rules(withOption));
    expect(rules(replayed)).not.toEqual(rules(await diagnose({ evidence })));
  });
});

describe('CLI: an evaluation option with --evidence does what it does live', () => {
  let files: string[];
  let deepFiles: string[];
  beforeAll(() => {
    files = ['--chain', tmp.file('chain.pem', l.pem + inter.pem), '--trust', tmp.file('root.pem', r0.pem), '--at', new Date(NOW).toISOString()];
    deepFiles = ['--chain', tmp.file('deep.pem', deep.chain), '--trust', tmp.file('deep-root.pem', deep.trust), '--at', new Date(NOW).toISOString()];
    writeFileSync(join(tmp.dir, 'thresholds.json'), JSON.stringify({ leaf: { warnFraction: 0.5 } }));
  });
  const cli = (args: string[]) => runCliInProcess(['diagnose', ...args.map((a) => (a === 'THRESHOLDS' ? join(tmp.dir, 'thresholds.json') : a)), '-o', 'json']);

  for (const o of [...OPTIONS, { name: 'expectId+role', argv: ['--expect-id', spiffe('other', 'web'), '--role', 'client'] }]) {
    it(`${o.argv.filter((a) => a.startsWith('--')).join(' ')}`, async () => {
      const all = 'inputs' in o && o.inputs === 'deep' ? deepFiles : files;
      // One --at only (a repeated single-value flag is refused): the option's own replaces the inputs' pin.
      const inputs = o.argv.includes('--at') ? all.slice(0, -2) : all;
      const bundle = join(tmp.dir, `ev-${o.name}.json`);
      const saved = await cli([...inputs, '--save-evidence', bundle]);
      expect(saved.stderr).toBe('');
      const withOption = await cli([...inputs, ...o.argv]);
      const replayed = await cli(['--evidence', bundle, ...o.argv]);
      expect(replayed.stderr).toBe('');
      expect(replayed.code).toBe(withOption.code);
      expect(strip(JSON.parse(replayed.stdout))).toEqual(strip(JSON.parse(withOption.stdout)));
      expect(replayed.stdout).not.toBe(saved.stdout);
    });
  }

  it('--fail-on warning with --evidence: exit 1 on a warning, as live', async () => {
    const inputs = ['--chain', tmp.file('warn.pem', warnChain), '--trust', files[3]!, '--at', new Date(NOW).toISOString()];
    const bundle = join(tmp.dir, 'ev-fail-on.json');
    expect((await cli([...inputs, '--save-evidence', bundle])).code).toBe(0);
    expect((await cli([...inputs, '--fail-on', 'warning'])).code).toBe(1);
    expect((await cli(['--evidence', bundle, '--fail-on', 'warning'])).code).toBe(1);
    expect((await cli(['--evidence', bundle])).code).toBe(0);
  });
});

describe('collection options with a bundle are refused by name', () => {
  const VALUES: Record<(typeof COLLECTION_FIELDS)[number], { argv: string[]; value: unknown }> = {
    chain: { argv: ['--chain', 'c.pem'], value: 'PEM' },
    key: { argv: ['--key', 'k.pem'], value: 'PEM' },
    trust: { argv: ['--trust', 't.pem'], value: 'PEM' },
    peerTrust: { argv: ['--peer-trust', 't.pem'], value: 'PEM' },
    ca: { argv: ['--ca', 'ca.pem'], value: 'PEM' },
    crls: { argv: ['--crl', 'crl.pem'], value: 'PEM' },
    peer: { argv: ['--peer', '127.0.0.1:1'], value: '127.0.0.1:1' },
    sni: { argv: ['--sni', 'x'], value: 'x' },
    alpn: { argv: ['--alpn', 'h2'], value: ['h2'] },
    envoyAdmin: { argv: ['--envoy-admin', 'http://127.0.0.1:1'], value: 'http://127.0.0.1:1' },
    agent: { argv: ['--agent', 'http://127.0.0.1:1'], value: 'http://127.0.0.1:1' },
    proxyRoot: { argv: ['--proxy-root', '/'], value: '/' },
    window: { argv: ['--window', '1'], value: 1 },
  };
  let evidence: EvidenceBundle;
  let bundle: string;
  beforeAll(async () => {
    evidence = (await diagnoseWithEvidence({ chain: l.pem + inter.pem, trust: r0.pem, at: NOW })).evidence;
    bundle = tmp.file('refuse.json', JSON.stringify(evidence));
  });

  for (const field of COLLECTION_FIELDS) {
    it(`${FLAG[field]}: exit 2 on the CLI, E_USAGE in the library, naming ${FLAG[field]}`, async () => {
      const message = new RegExp(`^Cannot combine --evidence with ${FLAG[field]}: a bundle already holds its evidence`);
      const r = await runCliInProcess(['diagnose', '--evidence', bundle, ...VALUES[field].argv]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.replace(/^mtls-doctor: /, '')).toMatch(message);
      await expect(diagnose({ evidence, [field]: VALUES[field].value } as DiagnoseRequest)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(message) });
    });
  }

  it('names every collection option given, not just the first', async () => {
    const r = await runCliInProcess(['diagnose', '--evidence', bundle, '--chain', 'c.pem', '--peer', 'x:1', '--window', '2']);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot combine --evidence with --chain, --peer, --window: /);
  });
});
