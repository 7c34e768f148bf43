/**
 * No Docker engine runs here, so the image is not built in the test suite; .ci/run performs its build steps
 * (scripts/image-build.sh, on the Dockerfile's own COPY list) and runs the result under Node 24. This checks
 * what can be checked from the files: the copies exist and cover what the build reads, the build runs the
 * project's script in both stages' Node, the runtime is non-root, labelled, and runs the payload's bin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const script = readFileSync(join(ROOT, 'scripts', 'image-build.sh'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const stages = dockerfile.split(/^FROM /m).slice(1);

describe('Dockerfile', () => {
  it('copies only paths that exist (from the build context)', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    expect(copies.length).toBeGreaterThan(3);
    for (const p of copies) expect(existsSync(join(ROOT, p)), `Dockerfile copies missing ${p}`).toBe(true);
  });

  it('copies every source the build reads, and the lockfile before installing', () => {
    // The build bundles src/ and rules/ with scripts/build.mjs under tsconfig.json; a new top-level source
    // folder must be copied too.
    for (const dir of ['src', 'rules', 'scripts']) expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
    expect(dockerfile.indexOf('package-lock.json')).toBeLessThan(dockerfile.indexOf('image-build.sh install'));
    expect(script).toMatch(/npm ci\b/);
  });

  it('runs its build steps through scripts/image-build.sh, the script .ci/run runs', () => {
    expect(dockerfile).toMatch(/^RUN scripts\/image-build\.sh install$/m);
    expect(dockerfile).toMatch(/^RUN scripts\/image-build\.sh payload \/payload$/m);
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/scripts\/image-build\.sh payload/);
    expect(script).toMatch(/npm run --silent build/);
  });

  it('builds and runs on the same Node 24 image (the code caches belong to the Node that wrote them)', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^\$\{NODE_IMAGE\} AS build/);
    expect(stages[1]).toMatch(/^\$\{NODE_IMAGE\}\n/);
  });

  it('ships the payload, non-root by default, labelled, with mtls-doctor as the entrypoint', () => {
    const runtime = stages[1]!;
    expect(runtime).toMatch(/^COPY --from=build \/payload\/ \/$/m);
    expect(runtime).not.toMatch(/^COPY .*node_modules/m);
    const user = /^USER (\d+)(?::(\d+))?$/m.exec(runtime);
    expect(user, 'USER with a numeric uid (runAsNonRoot needs one)').not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
    expect(runtime).toContain('org.opencontainers.image.source=');
    expect(runtime).toContain('org.opencontainers.image.version=');
    expect(runtime).toMatch(new RegExp(`^ARG VERSION=${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(runtime).toMatch(/^ENTRYPOINT \["mtls-doctor"\]$/m);
    // The entrypoint is the link the payload script lays, to the package's bin.
    expect(pkg.bin['mtls-doctor']).toBe('dist/cli.cjs');
    expect(script).toContain('ln -sfn ../../../opt/mtls-doctor/dist/cli.cjs "$dest/usr/local/bin/mtls-doctor"');
  });
});
