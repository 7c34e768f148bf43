/**
 * A private key is never printed, logged or saved in evidence: not in any output format, not in a saved
 * bundle, not in an error message — even when the key is given where a certificate belongs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';
import { mesh, leaf, NOW, type Issued } from '../support/pki.js';

// The certificates have pinned dates: evaluate at the pinned time, whatever day the suite runs.
const AT = ['--at', new Date(NOW).toISOString()];

let tmp: ReturnType<typeof tempDir>;
let m: { root: Issued; inter: Issued; leaf: Issued };
let keyPem: string;
let files: { chain: string; trust: string; key: string; wrongKey: string };

/** Fragments that would betray key material: the PEM label and every 16-char run of the base64 body. */
function keyFragments(pem: string): string[] {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 8) out.push(body.slice(i, i + 16));
  return out;
}

function expectNoKey(text: string, where: string) {
  expect(text, `${where} mentions a PRIVATE KEY block`).not.toMatch(/PRIVATE KEY-----/);
  for (const frag of keyFragments(keyPem)) expect(text.includes(frag), `${where} contains key material "${frag}"`).toBe(false);
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  expect(text.includes(der.subarray(-32).toString('hex')), `${where} contains key bytes as hex`).toBe(false);
}

beforeAll(async () => {
  tmp = tempDir();
  m = await mesh();
  keyPem = await m.leaf.keyPem();
  const other = await leaf(m.inter);
  files = {
    chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem),
    trust: tmp.file('root.pem', m.root.pem),
    key: tmp.file('key.pem', keyPem),
    wrongKey: tmp.file('wrong.key', await other.keyPem()),
  };
});
afterAll(() => tmp.cleanup());

describe('private keys never leave', () => {
  for (const o of ['text', 'json', 'markdown', 'slack']) {
    it(`-o ${o} with a matching and a mismatching key`, () => {
      for (const key of [files.key, files.wrongKey]) {
        const r = runCli(['diagnose', '--chain', files.chain, '--key', key, '--trust', files.trust, '-o', o, '--debug', ...AT]);
        expect([0, 1]).toContain(r.code);
        expectNoKey(r.stdout + r.stderr, `-o ${o}`);
      }
    });
  }

  it('--save-evidence writes the public key hash only', () => {
    const ev = join(tmp.dir, 'ev.json');
    const r = runCli(['diagnose', '--chain', files.chain, '--key', files.key, '--trust', files.trust, '--save-evidence', ev, ...AT]);
    expect(r.code, r.stderr).toBe(0);
    const saved = readFileSync(ev, 'utf8');
    expectNoKey(saved, 'the evidence bundle');
    expect(JSON.parse(saved).key).toMatchObject({ source: files.key, type: 'ec', spkiSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('a key passed where certificates belong is named, never echoed', () => {
    for (const flag of ['--chain', '--trust', '--peer-trust', '--ca']) {
      const args = flag === '--chain' ? ['diagnose', '--chain', files.key] : ['diagnose', '--chain', files.chain, flag, files.key];
      const r = runCli([...args, '--debug', ...AT]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/holds a private key, not a certificate/);
      expectNoKey(r.stdout + r.stderr, `error for ${flag}`);
    }
  });

  it('a corrupted key is reported without its content', () => {
    const bad = tmp.file('bad.key', keyPem.replace(/[A-Za-z]{10}/, 'AAAAAAAAAA'));
    const r = runCli(['diagnose', '--chain', files.chain, '--key', bad, '--debug', ...AT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a private key that can be loaded/);
    expectNoKey(r.stderr, 'the corrupted-key error');
  });
});
