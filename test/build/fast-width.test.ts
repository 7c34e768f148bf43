/**
 * The build's string-width stub (scripts/build.mjs) counts strings of scripts/fast-width.mjs's characters by
 * their length instead of loading string-width: every such character must be one column for each string-width
 * the bundle holds (yargs' and cliui's), and the characters around the ranges must not be taken.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { FAST_WIDTH } from '../../scripts/fast-width.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const fast = FAST_WIDTH as RegExp;

/** The string-width copies yargs and cliui resolve to. */
async function widths(): Promise<Array<(s: string) => number>> {
  const files = new Set<string>();
  for (const from of ['yargs', 'cliui']) {
    const dir = join(ROOT, 'node_modules', from);
    files.add(createRequire(join(dir, 'package.json')).resolve('string-width'));
  }
  return Promise.all([...files].map(async (f) => (await import(pathToFileURL(f).href)).default));
}

describe('the string-width fast path', () => {
  it('counts exactly the characters string-width counts as one column', async () => {
    const ws = await widths();
    expect(ws.length).toBeGreaterThan(0);
    let taken = 0;
    for (let cp = 0; cp <= 0x2fff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (!fast.test(ch)) continue;
      taken++;
      for (const w of ws) expect(w(ch), `U+${cp.toString(16)}`).toBe(1);
    }
    expect(taken).toBeGreaterThan(800);
    for (const ch of ['\t', '\u00ad', '\u0301', '\u200b', '\u231a', '\u3042', '\u{1f600}']) expect(fast.test(ch), JSON.stringify(ch)).toBe(false);
  });
});
