/** A saved evidence bundle replays to the identical report, byte for byte, in every format. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';
import { intermediate, leaf, root, t, HOUR, NOW, WEB_ID } from '../support/pki.js';

let tmp: ReturnType<typeof tempDir>;
let args: string[];

beforeAll(async () => {
  tmp = tempDir();
  const r = await root();
  const i = await intermediate(r, 'Expired Intermediate', { notAfter: t(-HOUR) });
  const l = await leaf(i);
  args = ['diagnose', '--chain', tmp.file('chain.pem', l.pem + i.pem), '--key', tmp.file('key.pem', await l.keyPem()), '--trust', tmp.file('root.pem', r.pem), '--expect-id', WEB_ID, '--at', new Date(NOW).toISOString()];
  // Pinned: the certificates have pinned dates, so the evaluation time must be pinned too.
});
afterAll(() => tmp.cleanup());

describe('--save-evidence then --evidence', () => {
  for (const o of ['json', 'text', 'markdown']) {
    it(`-o ${o} is identical on replay`, () => {
      const ev = join(tmp.dir, `ev-${o}.json`);
      const first = runCli([...args, '-o', o, '--save-evidence', ev]);
      expect(first.code, first.stderr).toBe(1);
      const again = runCli(['diagnose', '--evidence', ev, '-o', o]);
      expect(again.code, again.stderr).toBe(1);
      expect(again.stdout).toBe(first.stdout);
    });
  }

  it('--at re-evaluates a saved bundle at another time', () => {
    const ev = join(tmp.dir, 'ev-at.json');
    runCli([...args, '--save-evidence', ev]);
    const bundle = JSON.parse(readFileSync(ev, 'utf8'));
    const earlier = new Date(Date.parse(bundle.evaluatedAt) - 2 * 3600_000).toISOString();
    const r = runCli(['diagnose', '--evidence', ev, '--at', earlier, '-o', 'json']);
    expect(JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule)).not.toContain('expiry/intermediate-expired');
  });

  it('a truncated bundle is bad input', () => {
    const ev = join(tmp.dir, 'ev-trunc.json');
    runCli([...args, '--save-evidence', ev]);
    const text = readFileSync(ev, 'utf8');
    const r = runCli(['diagnose', '--evidence', tmp.file('trunc.json', text.slice(0, text.length / 2))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
  });
});
