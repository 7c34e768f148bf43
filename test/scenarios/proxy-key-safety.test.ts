/**
 * No key material reaches any output or bundle: a real key under --proxy-root (and Envoy's redacted SDS key),
 * every output format and the saved bundle are searched for the key's base64 body and for "PRIVATE KEY".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mesh, NOW } from '../support/pki.js';
import { startFakeEnvoyAdmin, type FakeServer } from '../support/fake-envoy-admin.js';
import { runBothWays } from '../support/faces.js';

let dir: string;
let keyBody: string;
let keyLines: string[];
let admin: FakeServer;

beforeAll(async () => {
  const m = await mesh();
  dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-keys-'));
  const key = await m.leaf.keyPem();
  keyBody = key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  keyLines = key.split('\n').filter((l) => l && !l.startsWith('-----'));
  for (const d of ['var/run/secrets/workload-spiffe-credentials', 'etc/certs']) {
    mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, d, 'cert-chain.pem'), m.leaf.pem + m.inter.pem);
    writeFileSync(join(dir, d, 'root-cert.pem'), m.root.pem);
    writeFileSync(join(dir, d, 'key.pem'), key);
  }
  admin = await startFakeEnvoyAdmin({ chain: [m.leaf, m.inter, m.root], roots: [m.root], inlineStringRedaction: false });
});
afterAll(async () => {
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('key material never leaves', () => {
  it('no output format and no saved bundle holds the key', async () => {
    expect(keyBody.length).toBeGreaterThan(100);
    const outputs: string[] = [];
    for (const o of ['text', 'json', 'markdown', 'slack']) {
      const bundle = join(dir, `bundle-${o}.json`);
      const r = await runBothWays(['diagnose', '--envoy-admin', admin.url, '--proxy-root', dir, '--at', new Date(NOW).toISOString(), '-o', o, '--save-evidence', bundle]);
      expect(r.stderr).toBe('');
      outputs.push(r.stdout, r.stderr, readFileSync(bundle, 'utf8'));
      const replay = await runBothWays(['diagnose', '--evidence', bundle, '-o', o]);
      outputs.push(replay.stdout, replay.stderr);
    }
    const all = outputs.join('\n');
    // The files were really read: the key's public facts are there.
    expect(all).toMatch(/"spkiSha256": "[0-9a-f]{64}"/);
    expect(all).not.toContain('PRIVATE KEY');
    expect(all.replace(/\s+/g, '')).not.toContain(keyBody);
    for (const line of keyLines) expect(all).not.toContain(line);
  });

  it('a key file that is not a key is named without its content', async () => {
    writeFileSync(join(dir, 'etc/certs/key.pem'), 'secret-looking-garbage-0123456789abcdef\n');
    const r = await runBothWays(['diagnose', '--proxy-root', dir, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stdout).not.toContain('secret-looking-garbage');
  });
});
