/**
 * The closing "N passed, N failed" line that .ci/run and `npm test` end with (test/support/count-reporter.ts)
 * counts every way a run fails, so it can never read "0 failed" for a run that exits non-zero: a suite whose
 * beforeAll throws (as the verifier-profile scenarios did when the x509-limbo suite was missing), a file that
 * throws while loading, and an error outside any test. Each fixture run is a real vitest run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

function run(fixture: string): { code: number | null; line: string } {
  const r = spawnSync(process.execPath, [VITEST, 'run', '--config', 'test/fixtures/count-reporter/vitest.config.ts', `test/fixtures/count-reporter/${fixture}.fixture.ts`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    timeout: 60_000,
  });
  const lines = `${r.stdout}`.trim().split('\n');
  return { code: r.status, line: lines[lines.length - 1]! };
}

describe('the closing count line', () => {
  it('counts passing tests', () => {
    expect(run('passes')).toEqual({ code: 0, line: '2 passed, 0 failed' });
  });

  it('counts a failing test once', () => {
    expect(run('one-fails')).toEqual({ code: 1, line: '1 passed, 1 failed' });
  });

  it("counts a suite whose beforeAll throws as failed, once, though its tests are only skipped", () => {
    expect(run('before-all-throws')).toEqual({ code: 1, line: '0 passed, 1 failed, 2 skipped (1 suite failed to run)' });
  });

  it('counts a file that throws while loading as failed', () => {
    expect(run('load-throws')).toEqual({ code: 1, line: '0 passed, 1 failed (1 suite failed to run)' });
  });

  it('counts an error outside any test (a stray rejection) as failed', () => {
    expect(run('stray-rejection')).toEqual({ code: 1, line: '1 passed, 1 failed (1 unhandled error)' });
  });
});
