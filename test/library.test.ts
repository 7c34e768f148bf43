/** The library surface: `diagnose()` takes PEM or DER, strings or buffers, arrays for bundles, and returns
 * exactly the report `mtls-doctor diagnose -o json` prints. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { diagnose } from '../src/index.js';
import { ROOT, runCli, tempDir } from './support/cli.js';
import { mesh, NOW, WEB_ID, type Issued } from './support/pki.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  m = await mesh({ leaf: { eku: ['serverAuth'] } });
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('diagnose()', () => {
  it('accepts PEM strings, DER buffers and arrays alike', async () => {
    const a = await diagnose({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem, at: NOW });
    const b = await diagnose({ chain: [Buffer.from(m.leaf.der), m.inter.pem], trust: [Buffer.from(m.root.der)], at: new Date(NOW) });
    const rules = (r: typeof a) => r.findings.map((f) => f.rule);
    expect(rules(a)).toEqual(['key-usage/missing-client-auth']);
    expect(rules(b)).toEqual(rules(a));
    expect(b.chains[0]!.certificates.map((c) => c.fingerprint)).toEqual(a.chains[0]!.certificates.map((c) => c.fingerprint));
  });

  it('returns what the CLI prints with -o json (up to input names)', async () => {
    const lib = await diagnose({ chain: m.leaf.pem + m.inter.pem, trust: [m.root.pem], expectId: WEB_ID, at: NOW });
    const r = runCli(['diagnose', '--chain', tmp.file('chain', m.leaf.pem + m.inter.pem), '--trust', tmp.file('trust', m.root.pem), '--expect-id', WEB_ID, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    const cli = JSON.parse(r.stdout);
    expect(cli.findings.map((f: { rule: string }) => f.rule)).toEqual(lib.findings.map((f) => f.rule));
    expect(cli.verdict).toBe(lib.verdict);
    expect(cli.evaluatedAt).toBe(lib.evaluatedAt);
    expect(Object.keys(cli).sort()).toEqual(Object.keys(lib).sort());
    expect(cli.findings.map((f: { title: string }) => f.title)).toEqual(lib.findings.map((f) => f.title));
  });

  it('the built package exports diagnose() (package.json exports)', async () => {
    const mod = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as typeof import('../src/index.js');
    const r = await mod.diagnose({ chain: m.leaf.pem, trust: [m.root.pem], at: NOW, ca: [m.inter.pem] });
    expect(r.schemaVersion).toBe(1);
    expect(r.findings[0]!.rule).toBe('chain/incomplete-chain');
  });

  it('throws a coded error for bad input instead of returning nonsense', async () => {
    await expect(diagnose({ chain: 'not a certificate' })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/Cannot read chain/) });
  });
});
