/**
 * No Docker engine runs here, so the image cannot be built in CI; this checks what can be checked without
 * one: every path the Dockerfile copies exists, the build it runs is the project's, and the entrypoint is the
 * built bin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('Dockerfile', () => {
  it('copies only paths that exist (from the build context)', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    expect(copies.length).toBeGreaterThan(3);
    for (const p of copies) expect(existsSync(join(ROOT, p)), `Dockerfile copies missing ${p}`).toBe(true);
  });

  it('builds with the project build script and runs the package bin', () => {
    expect(dockerfile).toMatch(/^RUN npm ci/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(pkg.bin['mtls-doctor']).toBe('dist/cli.cjs');
    expect(dockerfile).toContain('/opt/mtls-doctor/dist/cli.cjs /usr/local/bin/mtls-doctor');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["mtls-doctor"\]$/m);
  });

  it('copies every source the build reads', () => {
    // The build bundles src/ and rules/ and runs scripts/build.mjs; a new top-level source folder must be copied too.
    for (const dir of ['src', 'rules', 'scripts']) expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
  });
});
