/**
 * `--help` and `--version` are printed by the bin from texts the CLI rendered at build time (dist/help.json),
 * without loading the CLI: they must be exactly what the CLI prints itself, at both widths they exist for
 * (100: no terminal; 110: a terminal of 110 columns or more), and any other width is rendered live.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const tmp = tempDir('mtls-doctor-help-');
afterAll(() => tmp.cleanup());
const columns = (n: number) => ({ NODE_OPTIONS: `--require ${tmp.file(`cols-${n}.cjs`, `Object.defineProperty(process.stdout, 'columns', { value: ${n} });\n`)}` });

describe.skipIf(!!process.env.MTLS_DOCTOR_BIN)('pre-rendered help', () => {
  const help: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'dist', 'help.json'), 'utf8'));

  it('holds every command at both widths', () => {
    for (const w of [100, 110]) for (const cmd of ['', 'diagnose', 'explain', 'rules', 'demo', 'completion']) expect(help[`${w} ${cmd}`], `${w} ${cmd}`).toMatch(/mtls-doctor/);
  });

  for (const [width, env] of [[100, {}], [110, columns(132)]] as const) {
    it(`prints what the CLI renders, at width ${width}, without loading it`, () => {
      for (const cmd of ['', 'diagnose', 'explain']) {
        const args = cmd ? [cmd, '--help'] : ['--help'];
        const trace = join(tmp.dir, `trace-${width}-${cmd}`);
        const fast = runCli(args, { env: { ...env, MTLS_DOCTOR_CHUNK_TRACE: trace } });
        const live = runCli(args, { env: { ...env, MTLS_DOCTOR_NO_FAST_HELP: '1' } });
        expect(live.code).toBe(0);
        expect(fast.code).toBe(0);
        expect(fast.stdout).toBe(live.stdout);
        expect(fast.stdout).toBe(help[`${width} ${cmd}`]);
        expect(existsSync(trace), 'the fast path loaded the CLI').toBe(false);
        expect(runCli([...(cmd ? [cmd] : []), '-h'], { env }).stdout).toBe(live.stdout);
      }
    });
  }

  it('renders other widths live (an 80-column tmux pane)', () => {
    const trace = join(tmp.dir, 'trace-80');
    const r = runCli(['diagnose', '--help'], { env: { ...columns(80), MTLS_DOCTOR_CHUNK_TRACE: trace } });
    expect(r.code).toBe(0);
    expect(existsSync(trace)).toBe(true);
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('--version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(runCli(['--version']).stdout).toBe(`${pkg.version}\n`);
    expect(runCli(['--version'], { env: { MTLS_DOCTOR_NO_FAST_HELP: '1' } }).stdout).toBe(`${pkg.version}\n`);
  });
});
