/**
 * `mtls-doctor diagnose`: argv → request → diagnose() → render → exit code. Every check and every decision
 * about what to collect lives in src/diagnose/, shared with the library and every other face.
 */
import { inputError, usageError } from '../errors.js';
import type { Argv } from 'yargs';
import { diagnose, diagnoseWithEvidence, exitCode, argOf, HELP_GROUPS, REQUEST_FIELDS, type DiagnoseRequest, type FailOn, type RequestField } from '../diagnose/index.js';
import { saveEvidence } from '../collect/save-evidence.js';
import { loadRenderer, renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth } from '../report/wrap.js';
import type { Io } from './io.js';

/** The flags as yargs parses them: each request field's flag in camelCase (`peerTrust`, `crl`, `maxDepth`), and the CLI's own. */
export interface DiagnoseArgs {
  output: string;
  saveEvidence?: string;
  [arg: string]: unknown;
}

/**
 * The `diagnose` command's positional and options: one per row of the request's table (src/diagnose/request.ts),
 * in its `--help` sections, plus what only the CLI has (`-o`, `--save-evidence`).
 */
export function diagnoseOptions(y: Argv, fields: readonly RequestField[] = REQUEST_FIELDS): Argv {
  let out = y;
  for (const f of fields) {
    if (f.flag === 'TARGET') out = out.positional(f.name, { type: 'string', describe: f.describe });
    else if (f.flag && f.cli) {
      const { type, array, choices, default: dflt } = f.cli;
      // An option with choices shows them instead of its type (as yargs prints `[choices: …]`).
      out = out.option(f.flag, { ...(choices ? { choices } : { type }), ...(array ? { array } : {}), ...(dflt !== undefined ? { default: dflt } : {}), ...(f.alias ? { alias: f.alias } : {}), describe: f.describe });
    }
  }
  out = out
    .option('output', { alias: 'o', choices: ['text', 'json', 'markdown', 'slack'] as const, default: 'text' as const, describe: 'Output format' })
    .option('save-evidence', { type: 'string', describe: 'Write what was collected (no private keys) to this file' });
  for (const [group, title] of Object.entries(HELP_GROUPS)) {
    const flags = fields.filter((f) => f.group === group && f.flag && f.cli).map((f) => f.flag!);
    out = out.group(group === 'output' ? ['output', ...flags, 'save-evidence'] : flags, title);
  }
  return out;
}

export const DIAGNOSE_EPILOG = [
  'Exit codes: 0 nothing at or above --fail-on; 1 at least one such finding; 2 bad usage or input; 3 no evidence at all.',
  'Rules run in stage order expiry → chain → san → key-usage; `mtls-doctor rules` lists them.',
  'Docs: docs/diagnose.md, docs/handshake.md, docs/in-pod.md, docs/cluster.md',
].join('\n');

/**
 * The request the flags ask for: a file flag's path as `{ path }` (a repeatable one's as a list, left out when
 * empty), everything else as given. Undefined fields are left out.
 */
export function requestFromArgs(a: DiagnoseArgs, fields: readonly RequestField[] = REQUEST_FIELDS): DiagnoseRequest {
  const r: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.flag) continue;
    const v = a[argOf(f)];
    if (v === undefined) continue;
    if (!f.cli?.file) r[f.name] = v;
    else if (!Array.isArray(v)) r[f.name] = { path: v };
    else if (v.length) r[f.name] = v.map((path) => ({ path }));
  }
  return r as DiagnoseRequest;
}

/**
 * `--chain -` (or `--key -`, `--trust -`, …): that one input comes from standard input, named so in the report.
 * At most one flag can read it.
 */
async function withStdin(request: DiagnoseRequest, args: DiagnoseArgs, stdin: () => AsyncIterable<unknown> & { destroy?: () => void }): Promise<DiagnoseRequest> {
  const fields: readonly RequestField[] = REQUEST_FIELDS;
  const dashes = fields.filter((f) => f.flag && f.cli?.file).filter((f) => {
    const v = args[argOf(f)];
    return v === '-' || (Array.isArray(v) && v.includes('-'));
  });
  if (dashes.length === 0) return request;
  const flagOf = (f: RequestField) => `--${f.flag}`;
  if (dashes.length > 1) throw usageError(`Cannot read standard input for both ${dashes.map(flagOf).join(' and ')}: give a file for all but one`);
  const f = dashes[0]!;
  if (!f.cli?.stdin) throw usageError(`Cannot read ${flagOf(f)} from standard input: give a file`);
  const data = await readStdin(stdin(), flagOf(f));
  const material = { name: 'standard input', data };
  const current = (request as Record<string, unknown>)[f.name];
  const replaced = Array.isArray(current) ? current.map((m) => ((m as { path?: string }).path === '-' ? material : m)) : material;
  return { ...request, [f.name]: replaced } as DiagnoseRequest;
}

/** Standard input, bounded like a file input (4 MiB), as bytes (PEM or DER). */
async function readStdin(stdin: AsyncIterable<unknown> & { destroy?: () => void }, flag: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > 4 * 1024 * 1024) {
      stdin.destroy?.();
      throw inputError(`Cannot read ${flag} from standard input: more than 4 MiB`);
    }
    chunks.push(b);
  }
  const data = Buffer.concat(chunks);
  if (data.length === 0) throw inputError(`Cannot read ${flag} from standard input: it is empty; pipe the PEM or DER into it (cat cert-chain.pem | mtls-doctor diagnose ${flag} -)`);
  return data;
}

export async function runDiagnose(args: DiagnoseArgs, io: Io, stdin?: AsyncIterable<unknown> & { destroy?: () => void }): Promise<number> {
  // process.stdin only when a flag reads it: the getter opens a stream (~3 ms of every start otherwise).
  const request = await withStdin(requestFromArgs(args), args, () => stdin ?? process.stdin);
  await loadRenderer(args.output);
  const deps = { env: io.env, ...(io.now ? { now: io.now } : {}), kube: { progress: (line: string) => void io.stderr.write(`mtls-doctor: ${line}\n`) } };
  if (request.inPod) {
    // The copy inside the pod renders its own report; what it collected stays in the pod.
    if (args.saveEvidence) throw usageError('Cannot combine --in-pod with --save-evidence: the diagnosis runs inside the pod and only its report comes back');
    const report = await diagnose(request, deps);
    io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
    return exitCode(report, request.failOn as FailOn | undefined);
  }
  const { report, evidence } = await diagnoseWithEvidence(request, deps);
  // Redacted, written atomically, never through a link or into a FIFO or device (src/collect/save-evidence.ts).
  if (args.saveEvidence) saveEvidence(args.saveEvidence, evidence);
  io.stdout.write(renderReport(report, args.output, { color: args.output === 'text' && colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
  return exitCode(report, request.failOn as FailOn | undefined);
}
