/**
 * One front door: the demo diagnoses through the same diagnose() as the library (identical JSON for the same
 * running example), and every scenario file runs both ways (CLI and library) through test/support/faces.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo, withCertificateFiles } from '../../src/cli/demo.js';
import { startExample } from '../../src/demo/example.js';
import { diagnose, type Report } from '../../src/index.js';
import { NOW } from '../support/pki.js';

const io = (now: number) => {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: { NO_COLOR: '1' }, now: () => now } };
};

describe('the demo is a face of diagnose()', () => {
  it('prints exactly the report the library returns for the example\'s request (apart from evaluatedAt)', async () => {
    const example = await startExample(NOW);
    try {
      const face = io(NOW);
      // The demo writes the certificates to files (so its verify commands run); the library reads the same files.
      const { request } = withCertificateFiles(example.request);
      const code = await runDemo('json', face.io, async () => ({ ...example, request, close: async () => undefined }));
      expect(code, face.out.stderr).toBe(0);
      const demo = JSON.parse(face.out.stdout) as Report;
      const lib = await diagnose(request, { now: () => NOW });
      const strip = (r: Report) => ({ ...r, evaluatedAt: undefined });
      expect(strip(demo)).toEqual(strip(lib));
      expect(demo.findings[0]).toMatchObject({ rule: 'expiry/intermediate-expired', explainsSymptom: true });
      expect(demo.target).toMatchObject({ name: 'payments.checkout → ledger.checkout (built-in example)', peer: `127.0.0.1:${example.port}` });
    } finally {
      await example.close();
    }
  });
});

describe('the scenario suite runs both ways', () => {
  const dir = join(import.meta.dirname, '..', 'scenarios');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.test.ts'))) {
    it(`${f} diagnoses only through the both-ways helpers`, () => {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src).toMatch(/from '\.\.\/support\/faces\.js'/);
      // No direct front door: neither the library's diagnose() nor the CLI alone.
      expect(src).not.toMatch(/from '\.\.\/\.\.\/src\/(index|cli\/main|diagnose\/index)\.js'/);
      expect(src).not.toMatch(/\brunCliInProcess\b|\brunCli\b/);
    });
  }
});
