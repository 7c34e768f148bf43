/**
 * The CLI's grammar (yargs): every command, its flags, help, completion and usage errors. src/cli/main.ts loads
 * this module for every command line but the plain `diagnose` one it reads itself (src/cli/fast-args.ts).
 */
import yargs, { type Argv } from 'yargs';
import { usageError } from '../errors.js';
import { diagnoseOptions, runDiagnose, DIAGNOSE_EPILOG, type DiagnoseArgs } from './diagnose.js';
import type { ExplainArgs } from './explain.js';
import { EXPLAIN_EPILOG } from './explain-epilog.js';
import { fleetCommands } from './fleet.js';
import { VERSION } from '../version.js';
import { outputWidth } from '../report/wrap.js';
import { refuseRepeats } from './flags.js';
import { NO_COMMAND, usageMessage, type UsageContext } from './usage.js';
import { reportError } from './report-error.js';
import { bindStdinDashes } from './stdin-dashes.js';
import type { CliHooks, Io } from './io.js';

/** Parses `argv` (its stdin dashes bound, src/cli/main.ts) with yargs and runs the command. */
export async function parseAndRun(argv: string[], io: Io, hooks: CliHooks = {}): Promise<number> {
  let code = 0;
  const prog = io.prog ?? 'mtls-doctor';
  const debug = argv.includes('--debug');
  const parser: Argv = yargs(argv)
    .scriptName(prog)
    .usage('$0 <command> [options]\n\nExplains why mTLS handshakes fail: certificate expiry → chain → SANs → key usage, with the fix and a command to verify it.')
    .command(
      'diagnose [target]',
      "Diagnose a workload: its certificate files, its istio-proxy (inside the pod), a peer (real handshakes) or a saved bundle",
      (y) =>
        diagnoseOptions(y)
          .example('$0 diagnose --chain cert-chain.pem --key key.pem --trust root-cert.pem', 'Diagnose a workload certificate')
          .example('$0 diagnose --chain chain.pem --trust new-root.pem --peer-trust old-root.pem', 'Check a CA rotation from both sides')
          .example('istioctl proxy-config secret POD -n NS -o json > secret.json; $0 diagnose --chain secret.json', "Off the pod: the certificate Envoy holds (istiod's leaves live only there) and its ROOTCA")
          .example('$0 diagnose --peer reviews.bookinfo:9080 --chain cert-chain.pem --key key.pem --trust root-cert.pem', 'Handshake with a peer as the workload and explain the failure')
          .example('$0 diagnose --evidence bundle.json -o markdown', 'Replay a saved diagnosis as Markdown')
          .example('$0 diagnose pod/web-7d4f -n shop --peer reviews:9080', 'From a workstation: the pod, its sidecar and mesh policy towards a peer service')
          .example('$0 diagnose svc/ledger -n bank --from-namespace checkout', 'Which callers in checkout can no longer reach ledger, and why')
          .example('$0 diagnose deploy/web -n shop --in-pod --peer reviews:9080', 'Run the diagnosis (with a real handshake) inside the pod')
          .example('$0 diagnose --window 10', 'Inside the pod (kubectl debug --target=istio-proxy): find everything, watch SSL counters for 10 s')
          .epilog(DIAGNOSE_EPILOG),
      async (args) => {
        if (hooks.parsed) return hooks.parsed('diagnose', args);
        code = await runDiagnose(args as unknown as DiagnoseArgs, io);
      },
    )
    .command(
      'explain [text..]',
      'Decode a pasted TLS/mTLS error: what it proves (who rejected whom, where), the likely causes best first, and the command that decides between them (- reads standard input)',
      (y) =>
        y
          .positional('text', { type: 'string', array: true, describe: 'The error text (quote it), or - to read it from standard input' })
          .option('output', { alias: 'o', choices: ['text', 'json', 'markdown', 'slack'] as const, default: 'text' as const, describe: 'Output format' })
          .option('at', { type: 'string', describe: 'Stamp the report with this time (ISO 8601) instead of now' })
          .option('all', { type: 'boolean', default: false, describe: 'Show every candidate cause in text, not only the three most likely' })
          .example('$0 explain "TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"', 'Decode an Envoy transport failure reason')
          .example('kubectl logs POD -c istio-proxy | grep TLS_error | tail -1 | $0 explain - -o json', 'Decode a log line from standard input')
          .epilog(EXPLAIN_EPILOG),
      async (args) => {
        // yargs drops a bare "-" from positionals: runExplain reads the raw arguments to see it.
        const { runExplain } = await import('./explain.js');
        code = await runExplain({ ...(args as unknown as ExplainArgs), rawArgv: argv }, io);
      },
    )
    .command(
      'rules [id]',
      "List every rule with its stage, severity and what it finds; with an ID (e.g. expiry/leaf-expired), that rule's docs, offline",
      (y) =>
        y
          .positional('id', { type: 'string', describe: 'A rule id, as a finding names it (expiry/leaf-expired)' })
          .option('output', { alias: 'o', choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, describe: 'Output format' })
          .epilog('Docs: docs/rules.md'),
      async (args) => {
        // Loaded here: the rule docs renderer is needed by this command only (the files path's code size, issue 22).
        const { runRules } = await import('./rules.js');
        code = runRules(args.output, io, args.id);
      },
    )
    .command(
      'serve',
      'Run the chat server: a Slack slash command, a JSON webhook for any bot (POST /v1/diagnoses) and /metrics',
      (y) =>
        y
          .option('listen', { type: 'string', default: '127.0.0.1:8080', describe: 'HOST:PORT to listen on (0.0.0.0:8080 in a pod)' })
          .option('config', { type: 'string', describe: 'The config file (JSON or YAML): Slack channels and tokens → namespaces, limits; secrets are read from the files it names' })
          .option('scan-interval', { type: 'string', describe: 'Also scan the fleet this often (300, 5m, 1h; config `scan` says which namespaces, default all) and add its gauges to /metrics: one deployment is also the exporter' })
          .example('$0 serve --listen 0.0.0.0:8080 --config /etc/mtls-doctor/serve.yaml', 'Serve Slack and the webhook (deploy/serve.yaml runs this)')
          .example('$0 serve --config serve.yaml --scan-interval 10m', 'Also export the fleet gauges of `mtls-doctor scan` (alert rules: `mtls-doctor alerts`)')
          .epilog('Routes: POST /slack/commands (Slack-signed), POST /v1/diagnoses and GET /v1/diagnoses/ID (bearer token), GET /healthz, /readyz, /metrics. Setup: deploy/serve.yaml, deploy/slack-app-manifest.yaml.\nDocs: docs/chat.md'),
      async (args) => {
        const { runServe } = await import('../serve/index.js');
        // Chat text is parsed by this CLI's own definitions (parse-only), handed to serve rather than imported by it.
        code = await runServe({ listen: args.listen, config: args.config, ...(args.scanInterval !== undefined ? { scanInterval: args.scanInterval } : {}) }, io, { parseArgv: parseOnly });
      },
    )
    .command(
      'demo',
      'Diagnose a built-in broken mesh (an intermediate CA that expired at 02:47) end to end',
      (y) => y.option('output', { alias: 'o', choices: ['text', 'json', 'markdown', 'slack'] as const, default: 'text' as const, describe: 'Output format of the report (the preamble is printed with text only)' }).epilog('Docs: README.md (quick start), docs/diagnose.md'),
      async (args) => {
        // Lazy (a separate chunk, scripts/build.mjs): the demo's PKI generator and TLS peer are not needed elsewhere.
        const { runDemo } = await import('./demo.js');
        code = await runDemo(args.output, io);
      },
    )
    .command(fleetCommands(io, (c) => (code = c), hooks))
    // Shell completion: yargs answers --get-yargs-completions; `completion [bash|zsh]` itself is answered before
    // yargs parses (completionScript), with the script for the shell asked for.
    .completion('completion', 'Print the shell completion script: mtls-doctor completion bash >> ~/.bashrc (zsh: completion zsh >> ~/.zshrc)')
    .option('debug', { type: 'boolean', describe: 'Print stack traces for errors', global: true })
    .demandCommand(1, NO_COMMAND)
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    // yargs renders (and caches) the whole help text before running any command; wrapping it costs ~40 ms of
    // string-width work at every start, so wrap only when help is actually going to be shown: to the terminal's
    // width (or COLUMNS), and not at all when piped.
    .wrap(wantsHelp(argv) ? outputWidth(io.stdout, io.env) : null)
    .exitProcess(false)
    // Before validation: a repeated single-value flag is refused by name, not passed on as an array.
    .middleware((args) => refuseRepeats(args as Record<string, unknown>), true)
    .fail((msg, err, y) => {
      if (err) throw err;
      // yargs hands its usage object here: its descriptions are the flags of the command being parsed.
      const usage = y as unknown as { getDescriptions?: () => Record<string, unknown> };
      const known = Object.keys(usage.getDescriptions?.() ?? {});
      throw usageError(usageMessage(msg, { ...usageContext(parser, commands), argv, prog, known }));
    });
  skipHelpCache(parser);
  const commands = commandsOf(parser);
  if (argv.filter((a) => a !== '--debug')[0] === 'completion') {
    // Lazy (its own chunk): only `completion` needs the scripts.
    try {
      const { completionScript } = await import('./completion.js');
      io.stdout.write(completionScript(argv, prog, io.env)!);
      return 0;
    } catch (e) {
      return reportError(e, io, debug);
    }
  }
  try {
    await parser.parseAsync();
    return code;
  } catch (e) {
    return reportError(e, io, debug);
  }
}

/**
 * Parses `argv` with this CLI's definitions without running anything: the parsed arguments of the command, or a
 * usage error with the CLI's own message. `serve` parses chat text with it, so chat and the CLI share one grammar.
 */
export async function parseOnly(argv: string[]): Promise<Record<string, unknown>> {
  let parsed: Record<string, unknown> | null = null;
  let err = '';
  const quiet: Io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, env: {} };
  const code = await parseAndRun(bindStdinDashes(argv), quiet, { parsed: (_command, args) => void (parsed = args) });
  if (!parsed || code !== 0) throw usageError(err.replace(/^mtls-doctor:\s*/, '').trim() || `Cannot read the arguments of ${argv[0] ?? 'the command'}`);
  return parsed;
}

type YargsInternals = {
  getOptions?: () => { choices?: Record<string, unknown[]> };
  getInternalMethods?: () => {
    getCommandInstance?: () => { getCommandHandlers?: () => Record<string, { original?: string }> };
    getContext?: () => { commands?: string[] };
  };
};

/** Every command with its usage (`rotation <action>`), as registered; read before parsing (yargs resets it inside a command). */
function commandsOf(parser: Argv): UsageContext['commands'] {
  const handlers = (parser as unknown as YargsInternals).getInternalMethods?.()?.getCommandInstance?.()?.getCommandHandlers?.() ?? {};
  return Object.entries(handlers).map(([name, h]) => ({ name, usage: h.original ?? name }));
}

/** The command being parsed and its choices, when a parse fails (guarded: yargs internals). */
function usageContext(parser: Argv, commands: UsageContext['commands']): Pick<UsageContext, 'commands' | 'command' | 'choices'> {
  const internals = parser as unknown as YargsInternals;
  return { commands, command: internals.getInternalMethods?.()?.getContext?.()?.commands ?? [], choices: internals.getOptions?.()?.choices ?? {} };
}

/**
 * yargs renders the full help text after starting any command, only so that a later failure could print it
 * (lib/command.js cacheHelpMessage). We never print help on failure (errors are one line), and rendering it
 * costs ~20 ms of every start, so skip it. Guarded: if yargs changes its internals, nothing breaks.
 */
function skipHelpCache(parser: Argv): void {
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

function wantsHelp(argv: string[]): boolean {
  return argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === 'help');
}

