/**
 * `mtls-doctor demo | head -1`: a reader that closes the pipe early ends the CLI quietly (no EPIPE stack trace
 * on stderr, exit 0), as any Unix filter.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliCommand } from '../support/cli.js';

describe('a closed standard output', () => {
  it('ends the CLI without a stack trace', async () => {
    const [cmd, argv] = cliCommand(['demo']);
    const p = spawn(cmd, argv, { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.once('data', () => p.stdout.destroy()); // head -1
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});
