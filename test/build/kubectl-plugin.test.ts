/**
 * `kubectl mtls-doctor …` for real: kubectl (on PATH; .ci/run installs Debian's kubernetes-client where it is
 * missing) finds the plugin dist/kubectl-mtls_doctor.cjs on PATH under the name kubectl-mtls_doctor, as npm's
 * global install links it. And the CLI's shell completion (`mtls-doctor completion`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join, delimiter } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cobraCompletions, invokedAsKubectlCompletion, invokedAsKubectlPlugin, kubectlArgs } from '../../src/cli/kubectl-plugin.js';
import { mesh, NOW } from '../support/pki.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

describe('kubectl-style arguments', () => {
  it('moves kubectl global flags given before the subcommand to after it', () => {
    expect(kubectlArgs(['-n', 'prod', 'diagnose', 'pod/x'])).toEqual(['diagnose', '-n', 'prod', 'pod/x']);
    expect(kubectlArgs(['--context=east', '--kubeconfig', '/k', '-nprod', 'diagnose', 'pod/x', '-o', 'json'])).toEqual(['diagnose', '--context=east', '--kubeconfig', '/k', '-nprod', 'pod/x', '-o', 'json']);
    expect(kubectlArgs(['--namespace', 'a', 'diagnose'])).toEqual(['diagnose', '--namespace', 'a']);
  });

  it('leaves everything else as it is', () => {
    expect(kubectlArgs(['diagnose', 'pod/x', '-n', 'prod', '--context', 'east'])).toEqual(['diagnose', 'pod/x', '-n', 'prod', '--context', 'east']);
    expect(kubectlArgs(['-n', 'prod', '--help'])).toEqual(['-n', 'prod', '--help']);
    expect(kubectlArgs(['-n'])).toEqual(['-n']);
    expect(kubectlArgs([])).toEqual([]);
  });

  it('knows the plugin by the name it was started as', () => {
    expect(invokedAsKubectlPlugin('/usr/local/bin/kubectl-mtls_doctor', '/usr/bin/node', {})).toBe(true);
    expect(invokedAsKubectlPlugin('/x/dist/kubectl-mtls_doctor.cjs', '/usr/bin/node', {})).toBe(true);
    expect(invokedAsKubectlPlugin('diagnose', '/tmp/kubectl-mtls_doctor', {})).toBe(true); // the single executable
    expect(invokedAsKubectlPlugin('/x/dist/cli.cjs', '/usr/bin/node', {})).toBe(false);
    expect(invokedAsKubectlPlugin('/usr/local/bin/mtls-doctor', '/usr/bin/node', {})).toBe(false);
  });
});

describe('kubectl plugin completion (Cobra format)', () => {
  it('keeps the candidates that extend the word being completed, then the directive', () => {
    expect(cobraCompletions(['diagnose', 'explain', 'demo'], ['d'])).toBe('diagnose\ndemo\n:4\n');
    expect(cobraCompletions(['--chain', '--key', '--debug'], ['diagnose', '--ch'])).toBe('--chain\n:4\n');
    // Nothing to offer (a file argument): directive 0 lets the shell complete file names.
    expect(cobraCompletions([], ['diagnose', '--chain', 'ce'])).toBe(':0\n');
    expect(cobraCompletions(['diagnose'], [])).toBe('diagnose\n:4\n');
  });

  it('knows the completion executable by its name', () => {
    expect(invokedAsKubectlCompletion('/usr/local/bin/kubectl_complete-mtls_doctor')).toBe(true);
    expect(invokedAsKubectlCompletion('/x/dist/kubectl_complete-mtls_doctor.cjs')).toBe(true);
    expect(invokedAsKubectlCompletion('/usr/local/bin/kubectl-mtls_doctor')).toBe(false);
  });
});

describe.skipIf(!!process.env.MTLS_DOCTOR_BIN)('kubectl mtls-doctor (the real kubectl)', () => {
  const tmp = tempDir('mtls-doctor-plugin-');
  const bin = join(tmp.dir, 'bin');
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, NO_COLOR: '1', KUBECONFIG: join(tmp.dir, 'no-kubeconfig') };
  const kubectl = (args: string[]) => spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 30_000 });
  let files: { chain: string; trust: string };
  beforeAll(async () => {
    mkdirSync(bin);
    symlinkSync(join(ROOT, 'dist', 'kubectl-mtls_doctor.cjs'), join(bin, 'kubectl-mtls_doctor'));
    symlinkSync(join(ROOT, 'dist', 'kubectl_complete-mtls_doctor.cjs'), join(bin, 'kubectl_complete-mtls_doctor'));
    const m = await mesh();
    files = { chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem), trust: tmp.file('root.pem', m.root.pem) };
  });
  afterAll(() => tmp.cleanup());

  it('kubectl lists the plugin', () => {
    const r = kubectl(['plugin', 'list']);
    expect(r.stdout).toContain(join(bin, 'kubectl-mtls_doctor'));
    expect(r.stderr).not.toMatch(/warning/i);
  });

  it('kubectl mtls-doctor diagnose runs the diagnosis', () => {
    const r = kubectl(['mtls-doctor', 'diagnose', '--chain', files.chain, '--trust', files.trust, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'healthy' });
  });

  it('its help speaks of kubectl mtls-doctor; bad input still exits 2 with one line', () => {
    const help = kubectl(['mtls-doctor', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^kubectl mtls-doctor <command>/);
    expect(help.stdout).toContain('kubectl mtls-doctor diagnose');
    const bad = kubectl(['mtls-doctor', 'diagnose', '--chain', join(tmp.dir, 'missing.pem')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  // Plugin completion arrived in kubectl 1.26 (Debian's kubernetes-client is older: there only the script).
  const minor = Number(/"minor":\s*"(\d+)/.exec(spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 0);
  it.skipIf(minor < 26)('kubectl completes the plugin\'s commands, flags and choices', () => {
    expect(kubectl(['__complete', 'mtls-doctor', 'diag']).stdout).toBe('diagnose\n:4\n');
    expect(kubectl(['__complete', 'mtls-doctor', 'diagnose', '--ch']).stdout).toBe('--chain\n:4\n');
    expect(kubectl(['__complete', 'mtls-doctor', 'diagnose', '--output', '']).stdout).toBe('text\njson\nmarkdown\nslack\n:4\n');
    const direct = spawnSync(join(bin, 'kubectl_complete-mtls_doctor'), ['ex'], { env, encoding: 'utf8' });
    expect(direct.stdout).toBe('explain\n:4\n');
  });

  it('a namespace given before the subcommand is not taken for the command', () => {
    const r = kubectl(['mtls-doctor', '-n', 'prod', 'diagnose', '--chain', files.chain, '--trust', files.trust]);
    expect(r.stderr).not.toMatch(/Unknown (command|argument)s?:? .*prod/i);
    expect(r.stderr).not.toMatch(/Give a command/);
  });
});

describe.skipIf(!!process.env.MTLS_DOCTOR_BIN)('mtls-doctor completion', () => {
  it('prints a bash completion script that asks the CLI itself', () => {
    const r = runCli(['completion']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _mtls_doctor_completions mtls-doctor');
    expect(r.stdout).toContain('mtls-doctor --get-yargs-completions');
  });

  it('completes commands and the flags of a command', () => {
    expect(runCli(['--get-yargs-completions', '']).stdout.split('\n')).toEqual(expect.arrayContaining(['diagnose', 'explain', 'demo', 'completion']));
    expect(runCli(['--get-yargs-completions', 'diagnose', '--']).stdout.split('\n')).toEqual(expect.arrayContaining(['--chain', '--trust', '--peer', '--output']));
  });
});
