/** explain's --help epilog, apart from explain.ts: the CLI defines the command on every run, runs it rarely. */
export const EXPLAIN_EPILOG = [
  'Pass the error in quotes, or - to read it from standard input (at most 1 MiB). Text that starts with a dash: put -- before it.',
  'Text shows what the paste proves, the three most likely causes (--all: every one) and the commands that decide between them; -o json adds proves, decide and hypothesis/likelihood on each candidate.',
  'Exit codes: 0 likely causes only, or not recognised; 1 the text states the failed check (verdict failing); 2 empty or bad input.',
  'Docs: docs/explain.md',
].join('\n');
