/**
 * `mtls-doctor explain "<error text>"` (or `explain -` to read standard input): a thin shell over `explain()`.
 *
 * Exit codes: 0 the causes are only likely (an alert, a bare CERTIFICATE_VERIFY_FAILED, a reset) or the text
 * was not recognised; 1 the paste states the failed check itself, so the report's verdict is `failing`
 * (e.g. `certificate has expired`, `SAN matcher`, `WRONG_VERSION_NUMBER`, `Secret is not supplied by SDS`);
 * 2 empty text, more than 1 MiB, or bad usage.
 */
import { inputError, usageError } from '../errors.js';
import { loadRenderer, renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { redact } from '../redact.js';
import { outputWidth } from '../report/wrap.js';
import type { Report } from '../report/types.js';
import type { Io } from './io.js';

export interface ExplainArgs {
  text?: Array<string | number>;
  /** yargs' leftovers: words after `--` land here (`_[0]` is the command name). */
  _?: Array<string | number>;
  output: string;
  at?: string;
  /** Text: every candidate, not only the best three. */
  all?: boolean;
  /** The raw arguments: yargs drops a bare `-` from positionals, so stdin mode is detected here. */
  rawArgv?: string[];
}

export { EXPLAIN_EPILOG } from './explain-epilog.js';

/** explain's bound on pasted text (src/explain/signals.ts MAX_EXPLAIN_BYTES; checked there again). */
const MAX_EXPLAIN_BYTES = 1024 * 1024;

/** Reads a stream to the end, refusing more than `limit` bytes (then it stops reading at once). */
export async function readBounded(stream: AsyncIterable<unknown> & { destroy?: () => void }, limit = MAX_EXPLAIN_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > limit) {
      stream.destroy?.();
      throw inputError('Cannot read the error text from standard input: more than 1 MiB; paste only the failing lines');
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function exitCodeForExplain(report: Report): number {
  return report.verdict === 'failing' ? 1 : 0;
}

export async function runExplain(args: ExplainArgs, io: Io, stdin: AsyncIterable<unknown> & { destroy?: () => void } = process.stdin): Promise<number> {
  const parts = [...(args.text ?? []), ...(args._ ?? []).slice(1)].map(String);
  const raw = args.rawArgv ?? [];
  const end = raw.indexOf('--');
  const dash = (end < 0 ? raw : raw.slice(0, end)).includes('-') || (parts.length === 1 && parts[0] === '-');
  if (dash && parts.some((p) => p !== '-')) throw usageError('Cannot explain both standard input (-) and text arguments: give one of them');
  const text = dash ? await readBounded(stdin) : parts.join(' ');
  // The recognisers are loaded only for `explain`: `diagnose` on files never parses them.
  const { checkExplainText, explainText } = await import('../explain/explain.js');
  const { renderExplainText } = await import('../report/explain-text.js');
  checkExplainText(text);
  await loadRenderer(args.output);
  const report = explainText(text, { at: args.at });
  const color = args.output === 'text' && colorEnabled(io.stdout, io.env);
  const width = outputWidth(io.stdout, io.env);
  io.stdout.write(args.output === 'text' ? redact(renderExplainText(report, { color, width, all: args.all === true })) : renderReport(report, args.output, { color, width }));
  return exitCodeForExplain(report);
}
