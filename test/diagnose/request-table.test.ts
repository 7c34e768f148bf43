/**
 * One table for the request (src/diagnose/request.ts): every face's view of a field — the CLI's option and the
 * request built from argv, chat's allowlist, the webhook's validation, the argv of `--in-pod` — is derived from
 * its row, so adding an option is one row; and a field of the request type that has no row fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { REQUEST_FIELDS as ROWS, type RequestField } from '../../src/diagnose/request.js';
import { inPodArgv } from '../../src/diagnose/diagnose.js';
import { planDiagnosis, type DiagnoseRequest } from '../../src/diagnose/index.js';
import { diagnoseOptions, requestFromArgs, type DiagnoseArgs } from '../../src/cli/diagnose.js';
import { parseOnly } from '../../src/cli/main.js';
import { parseChatCommand } from '../../src/serve/chat-command.js';
import { parseWebhookRequest } from '../../src/serve/request.js';

/** A new option, as its issue would add it: one row. */
const TLS_VERSION: RequestField = {
  name: 'tlsVersion',
  flag: 'tls-version',
  kind: 'string',
  cli: { type: 'string' },
  group: 'peer',
  use: 'collection',
  chat: true,
  webhook: 'string',
  inPod: true,
  describe: 'The TLS version the probe offers (1.2 or 1.3)',
};
const REQUEST_FIELDS: readonly RequestField[] = ROWS;
const WITH_ROW: readonly RequestField[] = [...REQUEST_FIELDS, TLS_VERSION];

/** `diagnose ARGV` parsed by a yargs built from `fields` (as src/cli/main.ts builds it from the real table). */
async function parse(argv: string[], fields: readonly RequestField[]): Promise<DiagnoseArgs> {
  let parsed: DiagnoseArgs | undefined;
  await yargs(argv)
    .command('diagnose [target]', 'diagnose', (y) => diagnoseOptions(y, fields), (a) => void (parsed = a as unknown as DiagnoseArgs))
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  return parsed!;
}
const parserFor = (fields: readonly RequestField[]) => async (argv: string[]) => (await parse(argv, fields)) as Record<string, unknown>;

async function helpOf(fields: readonly RequestField[]): Promise<string> {
  let out = '';
  await yargs()
    .command('diagnose [target]', 'diagnose', (y) => diagnoseOptions(y, fields), () => undefined)
    .wrap(null)
    .exitProcess(false)
    .parseAsync(['diagnose', '--help'], {}, (_e, _argv, text) => void (out = text));
  return out;
}

describe('one table for the request', () => {
  it('a row added to a copy of the table is an option, a request field, a chat flag, a webhook field and an in-pod flag', async () => {
    // The CLI: its option (in its --help section) and the request built from argv.
    const help = await helpOf(WITH_ROW);
    expect(help.slice(help.indexOf('Handshake with a peer:'), help.indexOf('Cluster ('))).toContain('--tls-version  The TLS version the probe offers');
    const args = await parse(['diagnose', '--peer', 'a.b:443', '--tls-version', '1.3'], WITH_ROW);
    expect(requestFromArgs(args, WITH_ROW)).toEqual({ peer: 'a.b:443', tlsVersion: '1.3', failOn: 'error' });

    // Chat: the flag is allowed and lands in the request; without the row it is refused by the allowlist.
    expect(await parseChatCommand('diagnose --peer a.bookinfo:9080 --tls-version 1.3', parserFor(WITH_ROW), WITH_ROW)).toEqual({
      kind: 'diagnose', target: null, namespace: null, options: { peer: 'a.bookinfo:9080', tlsVersion: '1.3' },
    });
    await expect(parseChatCommand('diagnose --peer a.bookinfo:9080 --tls-version 1.3', parseOnly)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });

    // The webhook: accepted as its JSON form, checked as it (a number is refused); unknown without the row.
    expect(parseWebhookRequest({ peer: 'a.bookinfo:9080', tlsVersion: '1.3' }, WITH_ROW)).toEqual({ peer: 'a.bookinfo:9080', tlsVersion: '1.3' });
    expect(() => parseWebhookRequest({ tlsVersion: 13 }, WITH_ROW)).toThrow(/"tlsVersion" must be a JSON string/);
    expect(() => parseWebhookRequest({ tlsVersion: '1.3' })).toThrow(/unknown field "tlsVersion"/);

    // --in-pod: carried to the copy inside the pod as its flag.
    expect(inPodArgv({ peer: 'a.b:443', tlsVersion: '1.3' } as DiagnoseRequest, WITH_ROW)).toEqual(['--peer', 'a.b:443', '--tls-version', '1.3']);
  });

  it('the table views agree with the real faces: chat and the webhook refuse what the table refuses', async () => {
    for (const f of REQUEST_FIELDS.filter((x) => x.webhook === 'refused')) {
      expect(() => parseWebhookRequest({ [f.name]: 'x' }), f.name).toThrow(/is not accepted over the webhook/);
    }
    for (const f of REQUEST_FIELDS.filter((x) => x.flag && x.cli && !x.chat && x.name !== 'namespace')) {
      await expect(parseChatCommand(`diagnose --peer a.bookinfo:1 --${f.flag} x`, parseOnly), f.flag).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    }
    // Every field of a request is carried by the CLI: each flag of a row becomes its field.
    const argv = ['diagnose', '--evidence', 'b.json', '--at', '2026-01-01T00:00:00Z', '--max-depth', '3', '--verifier', 'go', '--role', 'client', '--expect-id', 'spiffe://td/ns/a/sa/b', '--symptom', 'x', '--thresholds', 't.json'];
    expect(requestFromArgs(await parse(argv, REQUEST_FIELDS))).toEqual({
      evidence: { path: 'b.json' }, at: '2026-01-01T00:00:00Z', maxChainDepth: '3', verifier: 'go', role: 'client', expectId: ['spiffe://td/ns/a/sa/b'], symptom: 'x', thresholds: { path: 't.json' }, failOn: 'error',
    });
  });

  it('an evaluation option goes wherever the others go: chat, the webhook and the copy inside the pod (--verifier too)', async () => {
    // Evaluation options only judge evidence: a remote caller may set them, and the copy inside the pod must judge
    // as asked. The exceptions: a file (--thresholds: the webhook takes its JSON) and --fail-on (the exit code here).
    const evaluation = REQUEST_FIELDS.filter((f) => f.use === 'evaluation' && !f.cli?.file && f.name !== 'failOn');
    expect(evaluation.map((f) => f.name)).toContain('verifier');
    expect(evaluation.filter((f) => !(f.chat && f.webhook && f.webhook !== 'refused' && f.inPod)).map((f) => f.name)).toEqual([]);
    // --verifier itself, through the real faces.
    expect(inPodArgv({ target: 'pod/a', inPod: true, verifier: 'ztunnel', at: '2026-01-01T00:00:00Z' })).toEqual(['--at', '2026-01-01T00:00:00Z', '--verifier', 'ztunnel']);
    expect(parseWebhookRequest({ peer: 'a.bookinfo:9080', verifier: 'go' })).toEqual({ peer: 'a.bookinfo:9080', verifier: 'go' });
    expect(await parseChatCommand('diagnose --peer a.bookinfo:9080 --verifier go', parseOnly)).toEqual({ kind: 'diagnose', target: null, namespace: null, options: { peer: 'a.bookinfo:9080', verifier: 'go' } });
  });

  it('every field of DiagnoseRequest has a row, and every row is a field (a field left out of the table fails here)', () => {
    const file = join(import.meta.dirname, '../../src/diagnose/request.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    let fields: string[] = [];
    source.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node) && node.name.text === 'DiagnoseRequest') fields = node.members.map((m) => (m.name as ts.Identifier).text);
    });
    expect(fields.length).toBeGreaterThan(20);
    expect([...fields].sort()).toEqual(REQUEST_FIELDS.map((f) => f.name).sort());
    // The library refuses a field that is not in the table, by name.
    expect(() => planDiagnosis({ chain: 'x', tlsVersion: '1.3' } as DiagnoseRequest, {})).toThrow(/Cannot use request field "tlsVersion": unknown/);
  });

  it('every option `diagnose --help` lists is a row of the table or one of the CLI\'s own (-o, --save-evidence)', async () => {
    const help = await helpOf(REQUEST_FIELDS);
    const shown = [...help.matchAll(/^\s+(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]!);
    const own = ['output', 'save-evidence', 'help', 'version'];
    expect(shown.filter((f) => !own.includes(f)).sort()).toEqual(REQUEST_FIELDS.filter((f) => f.cli).map((f) => f.flag!).sort());
  });

  it('no list of the request\'s fields is written outside the table, and serve casts nothing to a request', () => {
    const ROOT = join(import.meta.dirname, '../..');
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir)).flatMap((f) => (statSync(join(ROOT, dir, f)).isDirectory() ? files(`${dir}/${f}`) : f.endsWith('.ts') ? [`${dir}/${f}`] : []));
    const names = new Set(REQUEST_FIELDS.flatMap((f) => [f.name, ...(f.flag ? [f.flag, `--${f.flag}`] : [])]));
    // kubectl's own global flags, which the plugin moves after the subcommand: kubectl's list, not the request's.
    const KUBECTL = 'src/cli/kubectl-plugin.ts';
    const lists: string[] = [];
    const casts: string[] = [];
    for (const f of files('src')) {
      if (f === 'src/diagnose/request.ts') continue;
      const src = readFileSync(join(ROOT, f), 'utf8');
      for (const m of src.matchAll(/\[((?:\s*['"][^'"]+['"]\s*,?)+)\]/g)) {
        const items = [...m[1]!.matchAll(/['"]([^'"]+)['"]/g)].map((x) => x[1]!);
        if (items.filter((i) => names.has(i)).length >= 3 && f !== KUBECTL) lists.push(`${f}: ${m[0]}`);
      }
      // Where a request is handled (the pipeline and the faces): a union type of field names (`'chain' | 'key' | …`),
      // or a chain of tests of them (`has(r, 'envoyAdmin') || has(r, 'agent') || …`), is a list too.
      if (/^src\/(diagnose|cli|serve)\//.test(f)) {
        for (const m of src.matchAll(/['"]\w+['"](?:\s*\|\s*['"]\w+['"]){2,}|(?:\w+\([^()]*?['"]\w+['"]\)\s*(?:\|\||&&)\s*){2,}\w+\([^()]*?['"]\w+['"]\)/g)) {
          // Another request's fields (`Pick<ScanRequest, 'selector' | 'at' | …>`) are that request's list.
          if (/(Pick|Omit)<(?!DiagnoseRequest\b)\w+,\s*$/.test(src.slice(Math.max(0, m.index! - 60), m.index))) continue;
          const items = [...m[0].matchAll(/['"](\w+)['"]/g)].map((x) => x[1]!);
          if (items.filter((i) => REQUEST_FIELDS.some((r) => r.name === i)).length >= 3) lists.push(`${f}: ${m[0]}`);
        }
      }
      if (f.startsWith('src/serve/') && /\bas (DiagnoseRequest|any)\b/.test(src)) casts.push(f);
    }
    expect(lists, 'derive it from REQUEST_FIELDS (src/diagnose/request.ts): add a column if a view needs one').toEqual([]);
    expect(casts, 'serve builds requests typed as Pick<DiagnoseRequest, …>').toEqual([]);
  });
});
