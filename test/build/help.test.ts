/**
 * `--help` and `--version` written to a pipe (scripts, `| less`, bots) are printed by the bin from texts the CLI
 * rendered the same way at build time (dist/help.json), without loading the CLI: they must be exactly what the
 * CLI prints itself. At a terminal, or with COLUMNS set, the CLI renders them live for that width.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const tmp = tempDir('mtls-doctor-help-');
afterAll(() => tmp.cleanup());
/** A terminal of n columns, as far as the CLI can tell (a preload, so the bin itself sees it too). */
const terminal = (n: number) => ({ NODE_OPTIONS: `--require ${tmp.file(`tty-${n}.cjs`, `Object.defineProperty(process.stdout, 'isTTY', { value: true }); Object.defineProperty(process.stdout, 'columns', { value: ${n} });\n`)}` });
const traced = (name: string) => join(tmp.dir, `trace-${name}`);

describe.skipIf(!!process.env.MTLS_DOCTOR_BIN)('pre-rendered help', () => {
  const help: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'dist', 'help.json'), 'utf8'));

  it('holds every command the CLI lists', () => {
    const commands = runCli(['--get-yargs-completions', '']).stdout.split('\n').filter((w) => /^[a-z]/.test(w));
    expect(commands).toEqual(expect.arrayContaining(['diagnose', 'explain', 'demo']));
    for (const cmd of ['', ...commands]) expect(help[cmd], `${cmd} --help`).toMatch(/mtls-doctor/);
  });

  it('prints what the CLI prints to a pipe, without loading it', () => {
    for (const cmd of ['', 'diagnose', 'explain', 'rules']) {
      const args = cmd ? [cmd, '--help'] : ['--help'];
      const fast = runCli(args, { env: { MTLS_DOCTOR_CHUNK_TRACE: traced(cmd || 'top') } });
      const live = runCli(args, { env: { MTLS_DOCTOR_NO_FAST_HELP: '1' } });
      expect(live.code).toBe(0);
      expect(fast.code).toBe(0);
      expect(fast.stdout).toBe(live.stdout);
      expect(fast.stdout).toBe(help[cmd]);
      expect(existsSync(traced(cmd || 'top')), 'the fast path loaded the CLI').toBe(false);
      expect(runCli([...(cmd ? [cmd] : []), '-h']).stdout).toBe(live.stdout);
    }
  });

  it('renders live at a terminal (an 80-column tmux pane) and with COLUMNS', () => {
    const r = runCli(['diagnose', '--help'], { env: { ...terminal(80), MTLS_DOCTOR_CHUNK_TRACE: traced('tty') } });
    expect(r.code).toBe(0);
    expect(existsSync(traced('tty'))).toBe(true);
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    runCli(['diagnose', '--help'], { env: { COLUMNS: '72', MTLS_DOCTOR_CHUNK_TRACE: traced('columns') } });
    expect(existsSync(traced('columns'))).toBe(true);
  });

  it('--version is the package version, either way', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(runCli(['--version']).stdout).toBe(`${pkg.version}\n`);
    expect(runCli(['--version'], { env: { MTLS_DOCTOR_NO_FAST_HELP: '1' } }).stdout).toBe(`${pkg.version}\n`);
  });
});
