/**
 * Issue 21, the first-hour list: what a new user meets in the first hour, each point as it was seen and what it
 * must be now. Real runs of the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, isOneLineError, ROOT, runCli, tempDir } from '../support/cli.js';
import { DAY, intermediate, leaf, mesh, NOW, root, spiffe, t, YEAR, type Issued } from '../support/pki.js';
import { progress } from '../../src/cli/fleet.js';
import { FLEET_BUNDLE_KIND } from '../../src/fleet/bundle.js';
import { rules } from '../../rules/index.js';

const EVERY_COMMAND = ['diagnose', 'explain', 'rules', 'serve', 'demo', 'scan', 'rotation', 'alerts', 'completion'];

let tmp: ReturnType<typeof tempDir>;
let m: { root: Issued; inter: Issued; leaf: Issued };
let chain: string;
beforeAll(async () => {
  tmp = tempDir();
  m = await mesh();
  chain = tmp.file('chain.pem', m.leaf.pem + m.inter.pem);
});
afterAll(() => tmp.cleanup());

/** One line on stderr, exit 2, nothing on stdout: the CLI's answer to bad usage. */
function oneLine(args: string[]): string {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(isOneLineError(r.stderr), `not one clean line:\n${r.stderr}`).toBe(true);
  expect(r.stdout).toBe('');
  return r.stderr.trim();
}

describe('1–2: the commands, named', () => {
  it('bare mtls-doctor names every command, fleet and completion included', () => {
    const line = oneLine([]);
    for (const c of EVERY_COMMAND) expect(line).toContain(c);
    expect(line).toMatch(/^mtls-doctor: Give a command: diagnose, explain, rules, serve, demo, scan, rotation, alerts or completion \(mtls-doctor --help/);
  });

  it('every command the error names is one --help lists, and the other way round', () => {
    const help = runCli(['--help'], { env: { COLUMNS: '200' } }).stdout;
    const listed = [...help.matchAll(/^ {2}mtls-doctor (\w+)/gm)].map((x) => x[1]);
    expect(listed).toEqual(EVERY_COMMAND);
  });

  it('an unknown word is an unknown command, with the list (and the near one when there is one)', () => {
    expect(oneLine(['frobnicate'])).toBe(`mtls-doctor: Unknown command "frobnicate": the commands are ${EVERY_COMMAND.slice(0, -1).join(', ')} or completion (mtls-doctor --help)`);
    expect(oneLine(['diagnos', '--chain', chain])).toMatch(/^mtls-doctor: Unknown command "diagnos" \(did you mean diagnose\?\): the commands are diagnose, .* or completion/);
  });

  it('an extra word after a command is still an unexpected argument', () => {
    expect(oneLine(['diagnose', 'pod/a', 'b'])).toMatch(/Unexpected argument "b": a command takes at most one TARGET/);
  });
});

describe("3: yargs' own words never reach the user", () => {
  it('rotation without its action says which actions there are', () => {
    expect(oneLine(['rotation'])).toBe('mtls-doctor: rotation needs an action: status, plan or drill (mtls-doctor rotation --help)');
  });

  it('a value outside the choices names the flag, the value and the choices', () => {
    expect(oneLine(['diagnose', '--chain', chain, '-o', 'yaml'])).toBe('mtls-doctor: Cannot use --output "yaml": use text, json, markdown or slack');
    expect(oneLine(['diagnose', '--chain', chain, '--fail-on', 'info'])).toBe('mtls-doctor: Cannot use --fail-on "info": use error or warning');
    expect(oneLine(['scan', '-o', 'yaml'])).toBe('mtls-doctor: Cannot use --output "yaml": use text, json, markdown or prometheus');
    expect(oneLine(['rotation', 'status', '-o', 'yaml'])).toBe('mtls-doctor: Cannot use --output "yaml": use text, json or markdown');
    expect(oneLine(['rotation', 'sideways'])).toBe('mtls-doctor: rotation has no action "sideways": use status, plan or drill');
  });

  it('no message is left in yargs\' words', () => {
    for (const args of [['rotation'], ['diagnose', '-o', 'yaml'], ['scan', '--fail-on', 'info'], ['rules', '-o', 'slack'], ['frobnicate']]) {
      expect(runCli(args).stderr).not.toMatch(/Invalid values|Not enough non-option arguments|Argument: |Choices: /);
    }
  });
});

describe('4: completion', () => {
  /** A directory holding an `mtls-doctor` on PATH, as an installed CLI would be. */
  function installed(): string {
    const bin = tmp.file('mtls-doctor', `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(bin, 0o755);
    return tmp.dir;
  }

  it('completion --help explains and prints no script', () => {
    const r = runCli(['completion', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mtls-doctor completion \[bash\|zsh\]/);
    expect(r.stdout).toContain('mtls-doctor completion zsh >> ~/.zshrc');
    expect(r.stdout).not.toMatch(/complete -o|compdef/);
    expect(r.stderr).toBe('');
  });

  it('completion zsh prints a zsh script and nothing else, exit 0', () => {
    const r = runCli(['completion', 'zsh']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^#compdef mtls-doctor\n/);
    expect(r.stdout).toContain('compdef _mtls_doctor_completions mtls-doctor');
    expect(r.stdout).not.toContain('complete -o');
  });

  it('an unknown shell is one line, exit 2', () => {
    expect(oneLine(['completion', 'fish'])).toBe('mtls-doctor: Cannot print a completion script for "fish": mtls-doctor completion supports bash and zsh');
  });

  it('the bash script completes commands and flags in a real bash', () => {
    const dir = installed();
    const script = tmp.file('c.bash', runCli(['completion', 'bash']).stdout);
    const complete = (words: string[]) => {
      const cword = words.length - 1;
      const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${cword}; _mtls_doctor_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, SHELL: '/bin/bash' },
        timeout: 20_000,
      });
      return r.stdout.trim().split('\n');
    };
    expect(complete(['mtls-doctor', 'sc'])).toEqual(['scan']);
    expect(complete(['mtls-doctor', 'rot'])).toEqual(['rotation']);
    expect(complete(['mtls-doctor', 'diagnose', '--pee'])).toEqual(expect.arrayContaining(['--peer', '--peer-trust', '--peer-id']));
  });

  it('the zsh script hands the candidates to _describe in a real zsh', () => {
    const zsh = spawnSync('zsh', ['--version']);
    if (zsh.status !== 0) return; // zsh is not installed here: the bash test above covers the candidates
    const dir = installed();
    const script = tmp.file('c.zsh', runCli(['completion', 'zsh']).stdout);
    const r = spawnSync('zsh', ['-c', `compdef() { :; }; _describe() { print -l -- "\${(@P)2}"; }; _default() { print DEFAULT; }; source ${script}; words=(mtls-doctor sc); CURRENT=2; _mtls_doctor_completions`], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scan:Scan every sidecar/m);
    expect(r.stdout).toMatch(/^rotation:/m);
  });
});

describe('5: a --thresholds file that is not JSON', () => {
  it('is one line that does not quote the file', () => {
    const line = oneLine(['diagnose', '--chain', chain, '--thresholds', '/etc/hostname']);
    expect(line).toBe('mtls-doctor: Cannot read --thresholds file "/etc/hostname": it is not JSON');
    const secret = tmp.file('notes.txt', 'hunter2-token-abc\n');
    const scan = oneLine(['alerts', '--thresholds', secret]);
    expect(scan).not.toContain('hunter2');
  });

  it('JSON with a syntax error says where, still without quoting it', () => {
    const file = tmp.file('th.json', '{"intermediate": {"warnDays": 30,\n "criticalDays": secret7}}');
    const line = oneLine(['diagnose', '--chain', chain, '--thresholds', file]);
    expect(line).toMatch(/: not valid JSON/);
    expect(line).not.toContain('secret7');
    expect(oneLine(['scan', '--evidence', file, '--thresholds', tmp.file('th2.json', '{"leaf": 5\n')])).toMatch(/--thresholds file ".*th2\.json": not valid JSON at line 2, column 1$/);
  });
});

describe('6: every option of every command is described in its --help', () => {
  it.each(EVERY_COMMAND.filter((c) => c !== 'completion'))('%s --help', (command) => {
    const r = runCli([command, ...(command === 'rotation' ? ['status'] : []), '--help'], { env: { COLUMNS: '250' } });
    expect(r.code).toBe(0);
    const options = r.stdout.split('\n').filter((l) => /^ +(-\w, )?--[\w-]+ /.test(l));
    expect(options.length).toBeGreaterThan(2);
    const bare = options.filter((l) => /^ +(?:-\w, )?--[\w-]+\s+(\[|$)/.test(l));
    expect(bare, 'options with no description').toEqual([]);
  });
});

describe("7 and 11: the demo's preamble and its certificates", () => {
  it('the preamble is wrapped to the terminal (80 columns) and says where the certificates are', () => {
    const r = runCli(['demo'], { env: { COLUMNS: '80' } });
    expect(r.code, r.stderr).toBe(0);
    const preamble = r.stdout.slice(0, r.stdout.indexOf('\n\n'));
    for (const line of preamble.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(preamble.replace(/\s+/g, ' ')).toMatch(/Its certificates are in \/\S+\/mtls-doctor-demo-\S+\/ \(replaced on each run; the key stays in memory\)/);
  });

  it('runs do not pile up directories: one per user, replaced, holding certificates and no key', () => {
    const base = tempDir('mtls-doctor-tmp-');
    try {
      const runs = [1, 2].map(() => runCli(['demo'], { env: { TMPDIR: base.dir, COLUMNS: '' } }));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const entries = readdirSync(base.dir);
      expect(entries).toHaveLength(1);
      const dir = join(base.dir, entries[0]!);
      expect(entries[0]).toMatch(/^mtls-doctor-demo-/);
      expect(readdirSync(dir).sort()).toEqual(['cert-chain.pem', 'root-cert.pem']);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8')).not.toMatch(/PRIVATE KEY/);
      // Every file the second report names is in that directory: no bare cert-chain.pem or root-cert.pem.
      const out = runs[1]!.stdout;
      expect(out).toContain(`Its certificates are in ${dir}/`);
      const report = out.slice(out.indexOf('\n\n'));
      expect(report.split(`${dir}/cert-chain.pem`).length).toBeGreaterThan(3);
      expect(report).not.toMatch(/(^|[\s'"(])(cert-chain|root-cert)\.pem/m);
    } finally {
      base.cleanup();
    }
  });

  it("a demo sample in the README or docs/ is the demo's output: it says where the certificates are", () => {
    const pages = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const m of text.matchAll(/```\w*\n(Built-in example:[\s\S]*?)```/g)) {
        expect(m[1], page).toMatch(/Its certificates are in \S+\//);
        expect(m[1], page).not.toMatch(/ cert-chain\.pem #\d/);
      }
    }
  });
});

describe('8: scan on a terminal', () => {
  it('erases its progress bar when it is done, and draws nothing when stderr is not a terminal', () => {
    let written = '';
    const draw = progress({ stderr: { isTTY: true, write: (s: string) => (written += s) } } as never)!;
    draw(1, 3);
    draw(3, 3);
    expect(written.startsWith('\r')).toBe(true);
    expect(written).toContain('1/3 pods');
    // After the last carriage return: the erase-line sequence and nothing else, so no finished bar stays.
    expect(written.slice(written.lastIndexOf('\r'))).toBe('\r\x1b[2K');
    expect(progress({ stderr: { write: () => true } } as never)).toBeUndefined();
  });

  it('keeps apart CA names that differ only at their end', async () => {
    const r = await root('Mesh Root CA', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
    const expiring = await intermediate(r, 'Mesh Intermediate CA (expiring)', { notBefore: t(-YEAR), notAfter: t(5 * DAY) });
    const expired = await intermediate(r, 'Mesh Intermediate CA (expired)', { notBefore: t(-YEAR), notAfter: t(-2 * DAY) });
    const holding = async (i: number, inter: Issued) => ({ namespace: 'shop', name: `web-${i}`, workload: `web-${i}`, status: 'ok', served: [(await leaf(inter, { uris: [spiffe('shop', `web-${i}`)] })).pem + inter.pem], trusted: [r.pem] });
    const at = new Date(NOW).toISOString();
    const bundle = { kind: FLEET_BUNDLE_KIND, schemaVersion: 1, collectedAt: at, scope: { namespaces: 'all' }, input: { pods: [await holding(0, expiring), await holding(1, expired)] } };
    const out = runCli(['scan', '--evidence', tmp.file('two-intermediates.json', JSON.stringify(bundle)), '--at', at], { env: { COLUMNS: '80' } }).stdout;
    const rows = out.split('\n').filter((l) => /^ {2}intermediate /.test(l));
    expect(rows).toHaveLength(2);
    expect(rows.join('\n')).toMatch(/\(expiring\)/);
    expect(rows.join('\n')).toMatch(/\(expired\)/);
    expect(out).not.toMatch(/\(expir…/);
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });
});

describe("10: explain's confirm commands select Envoy's default secret by name", () => {
  it('no rule reads the first secret, whichever it is', () => {
    for (const r of rules) {
      const texts = [r.meta.verify, ...r.meta.remediation, r.meta.hint?.next ?? '', r.meta.hint?.confirm ?? ''];
      for (const text of texts) expect(text, r.meta.id).not.toMatch(/dynamic_?[aA]ctive_?[sS]ecrets\[0\]/);
    }
  });

  it('the command explain prints reads the default secret even when ROOTCA comes first (istioctl -o json)', () => {
    const out = runCli(['explain', 'TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED: verify cert failed: certificate has expired']).stdout;
    // explain's text lists the commands that decide between its candidates as "$ command" lines.
    const verify = out.split('\n').find((l) => /^ +(?:verify: |\$ )istioctl proxy-config secret .* jq -r '/.test(l));
    expect(verify, out).toBeDefined();
    const filter = /jq -r '([^']+)'/.exec(verify!)![1]!;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    // As `istioctl proxy-config secret POD -o json` prints it: ROOTCA may come before default.
    const secrets = {
      dynamicActiveSecrets: [
        { name: 'ROOTCA', secret: { name: 'ROOTCA', validationContext: { trustedCa: { inlineBytes: b64(m.root.pem) } } } },
        { name: 'default', secret: { name: 'default', tlsCertificate: { certificateChain: { inlineBytes: b64(m.leaf.pem + m.inter.pem) } } } },
      ],
    };
    if (spawnSync('jq', ['--version']).status !== 0) return;
    const r = spawnSync('jq', ['-r', filter], { input: JSON.stringify(secrets), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(Buffer.from(r.stdout.trim(), 'base64').toString()).toBe(m.leaf.pem + m.inter.pem);
  });
});
