/**
 * The fleet commands: `scan`, `rotation status|plan`, `alerts`. A face: argv → ScanRequest → scan() → render →
 * exit code. The scan itself (collection, a saved scan, judging) is src/diagnose/scan.ts, loaded (with the
 * renderers) only when one of these commands runs: `diagnose` on files never parses it.
 */

const SCAN_FORMATS = ['text', 'json', 'markdown', 'prometheus'] as const;
const loadScan = () => import('../diagnose/scan.js');
const loadRender = () => import('../report/scan.js');
const loadRotation = () => import('../fleet/rotation.js');
import type { Argv, CommandModule } from 'yargs';
import type { ScanRequest } from '../diagnose/scan.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth } from '../report/wrap.js';
import type { CliHooks, Io } from './io.js';
import { writeRegularFile } from '../collect/save-evidence.js';
import { usageError } from '../errors.js';

export interface FleetArgs {
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  concurrency: number;
  podTimeout: number;
  output: string;
  evidence?: string;
  saveEvidence?: string;
  readCaSecrets?: boolean;
  at?: string;
  thresholds?: string;
  failOn: 'error' | 'warning';
  context?: string;
  kubeconfig?: string;
  whatIf?: string;
  target?: string;
}

const scopeOptions = (y: Argv) =>
  y
    .option('namespace', { alias: 'n', type: 'string', describe: 'Scan this namespace (default: the kubeconfig context namespace)' })
    .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'Scan every namespace' })
    .option('selector', { alias: 'l', type: 'string', describe: 'Only pods matching this label selector (kubectl syntax)' })
    .option('concurrency', { type: 'number', default: 8, describe: 'Pods read at once (1–256)' })
    .option('pod-timeout', { type: 'number', default: 10, describe: 'Seconds to wait for one pod before it becomes a failed row' })
    .option('read-ca-secrets', { type: 'boolean', describe: 'Also read the CA Secrets (cacerts, istio-ca-secret): certificates only, never the key' })
    .option('context', { type: 'string', describe: 'kubeconfig context' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)' })
    .option('evidence', { type: 'string', describe: 'Judge a saved scan instead of reading the cluster', normalize: true })
    .option('save-evidence', { type: 'string', describe: 'Write what the scan read (certificates only) to this file', normalize: true })
    .option('at', { type: 'string', describe: 'Judge at this time (ISO 8601) instead of now' })
    .option('thresholds', { type: 'string', describe: 'JSON file of expiry thresholds (as for diagnose)', normalize: true })
    .option('fail-on', { choices: ['error', 'warning'] as const, default: 'error' as const, describe: 'Exit 1 when something at or above this level is found' });

export function scanRequestFromArgs(a: FleetArgs): ScanRequest {
  const r: ScanRequest = {
    namespace: a.namespace,
    allNamespaces: a.allNamespaces,
    selector: a.selector,
    concurrency: a.concurrency,
    podTimeoutMs: a.podTimeout * 1000,
    readCaSecrets: a.readCaSecrets,
    context: a.context,
    kubeconfig: a.kubeconfig,
    evidence: a.evidence !== undefined ? { path: a.evidence } : undefined,
    at: a.at,
    thresholds: a.thresholds !== undefined ? { path: a.thresholds } : undefined,
    failOn: a.failOn,
    whatIf: a.whatIf,
    target: a.target,
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as ScanRequest;
}

/**
 * A one-line progress bar on a terminal's stderr; nothing when stderr is not a terminal. The finished bar is
 * erased, so the report starts on a clean screen and no "N/N pods" line is left above it.
 */
export function progress(io: Pick<Io, 'stderr'>): ((done: number, total: number) => void) | undefined {
  const err = io.stderr as { isTTY?: boolean; write(s: string): unknown };
  if (!err.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const t = Date.now();
    if (done < total && t - last < 100) return;
    last = t;
    if (done >= total) {
      err.write('\r\x1b[2K');
      return;
    }
    const w = 24;
    const bar = '█'.repeat(Math.round((done / total) * w)).padEnd(w, '░');
    err.write(`\r${bar} ${done}/${total} pods`);
  };
}

async function runScan(args: FleetArgs, io: Io) {
  const { scan, serializeFleetBundle } = await loadScan();
  const result = await scan(scanRequestFromArgs(args), { onProgress: progress(io) });
  // Written as --save-evidence is: atomically, never through a link or into a FIFO or device.
  if (args.saveEvidence) writeRegularFile(args.saveEvidence, serializeFleetBundle(result.bundle), 'saved scan');
  return result;
}

export function fleetCommands(io: Io, setCode: (c: number) => void, hooks: CliHooks = {}): CommandModule[] {
  return [
    {
      command: 'scan [target]',
      describe: 'Scan every sidecar: expiry at every CA level, trust-bundle drift, who cannot verify whom, the rotation phase',
      builder: (y) =>
        scopeOptions(y)
          .positional('target', { type: 'string', describe: 'pod/NAME (with --what-if)' })
          .option('output', { alias: 'o', choices: SCAN_FORMATS, default: 'text' as const, describe: 'Output format (prometheus: for the textfile collector or a push)' })
          .option('what-if', { type: 'string', describe: 'strict: what a STRICT PeerAuthentication would break now' })
          .example('$0 scan -A', 'Every namespace: the CA that expires first leads the report')
          .example('$0 scan --what-if strict -n shop', 'What STRICT would break in shop')
          .example('$0 scan -n shop -o json | jq .rotation', 'The rotation phase, for a bot')
          .example('$0 scan -A -o prometheus > /var/lib/node-exporter/mtls.prom', 'Metrics for Prometheus (see `mtls-doctor alerts`)')
          .epilog('Exit codes: 0 fine; 1 an expired or critical CA, a rotation-order violation or pods cut off (--fail-on warning: also warnings and drift); with --what-if, a connection STRICT would break; 2 bad usage; 3 no pod could be read.\nDocs: docs/fleet.md'),
      handler: async (a) => {
        if (hooks.parsed) return hooks.parsed('scan', a);
        const args = a as unknown as FleetArgs;
        const { report } = await runScan(args, io);
        const [{ scanExitCode }, { renderScanMarkdown, renderScanText }, { renderPrometheus }] = await Promise.all([loadScan(), loadRender(), import('../report/prometheus.js')]);
        const color = args.output === 'text' && colorEnabled(io.stdout, io.env);
        const out =
          args.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : args.output === 'markdown' ? renderScanMarkdown(report) : args.output === 'prometheus' ? renderPrometheus(report) : renderScanText(report, { color, width: outputWidth(io.stdout, io.env) });
        io.stdout.write(out);
        setCode(scanExitCode(report, args.failOn));
      },
    },
    {
      command: 'rotation <action>',
      describe: 'The CA rotation phase (1–5) from what every pod holds (status), the next safe step with its commands (plan), every step rehearsed with a new CA (drill)',
      builder: (y) =>
        scopeOptions(y)
          .positional('action', { choices: ['status', 'plan', 'drill'] as const, describe: 'status: the phase and any violation; plan: the next safe step; drill: what each step would break (--new-ca)' })
          .option('output', { alias: 'o', choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, describe: 'Output format (json: the phase, violations and, with plan, the steps; with drill, markdown is the runbook)' })
          .option('new-ca', { type: 'string', normalize: true, describe: 'drill: the new CA\'s root and/or intermediate, PEM (never its key)' })
          .option('ca-type', { choices: ['cacerts', 'istiod', 'istio-csr', 'spire'] as const, describe: 'drill: the CA in use, when the scan cannot tell' })
          .example('$0 rotation status -A', 'Which of the five steps the mesh is in, and who is not there yet')
          .example('$0 rotation plan -A', 'The next safe step, with the commands to take it and to verify it')
          .example('$0 rotation drill --new-ca new-ca.pem -A --read-ca-secrets', 'Before rotating: what each step, and each wrong order, would break')
          .example('$0 rotation drill --new-ca new-ca.pem -A -o markdown', 'The runbook: commands for your CA, checks, rollbacks')
          .epilog(
            'drill: each of the five steps, done now on the fleet as read, and two wrong orders, judged by the connection rules; leaves of the new CA are simulated (no CA key is read); nothing is written.\nExit codes: 0 fine; 1 a violation or a trust source to fix first (drill: a safe step breaks a connection); 2 bad usage or --new-ca file; 3 no pod could be read.\nDocs: docs/rotation.md',
          ),
      handler: async (a) => {
        if (hooks.parsed) return hooks.parsed('rotation', a);
        const args = a as unknown as FleetArgs & { action: 'status' | 'plan' | 'drill'; newCa?: string; caType?: string };
        if (args.action === 'drill') return (await import('./drill.js')).runDrill(args, io, setCode, scanRequestFromArgs(args), progress(io));
        if (args.newCa !== undefined || args.caType !== undefined) throw usageError(`Cannot use ${args.newCa !== undefined ? '--new-ca' : '--ca-type'} with rotation ${args.action}: it is for rotation drill`);
        const { report } = await runScan(args, io);
        const [{ rotationPlan }, { renderRotationText }] = await Promise.all([loadRotation(), loadRender()]);
        const rot = report.rotation;
        const plan = args.action === 'plan' ? rotationPlan(rot) : undefined;
        if (args.output === 'json') io.stdout.write(JSON.stringify(plan ? { ...rot, plan } : rot, null, 2) + '\n');
        else if (args.output === 'markdown') io.stdout.write([`**Rotation:** phase ${rot.phase} of 5 — ${rot.phaseName}${rot.complete ? ' (complete)' : ''}`, '', rot.next, ...rot.violations.map((v) => `- **${v.kind}**: ${v.detail}`), ...(rot.blockers ?? []).map((b) => `- **fix first**: ${b.detail}`), ...(plan ? ['', '```sh', ...plan.commands, plan.verify, '```'] : [])].join('\n') + '\n');
        else io.stdout.write(renderRotationText(rot, { color: colorEnabled(io.stdout, io.env), plan: !!plan, width: outputWidth(io.stdout, io.env) }));
        // A violation, or a trust source that lacks a root in use (restarting a pod would break it): exit 1.
        setCode(rot.violations.length || rot.blockers?.length ? 1 : report.summary.ok === 0 && report.summary.pods > 0 ? 3 : 0);
      },
    },
    {
      command: 'alerts',
      describe: 'Print a Prometheus rule pack: expiry per CA level, workload rotation stalled, istiod CA expiry, rotation-order violations, drift',
      builder: (y) =>
        y
          .option('thresholds', { type: 'string', describe: 'JSON file of expiry thresholds (the same file diagnose and scan take)', normalize: true })
          .option('leaf-ttl', { type: 'number', default: 24, describe: 'Workload certificate lifetime in hours (Istio default 24)' })
          .example('$0 alerts > mtls-doctor-rules.yaml && promtool check rules mtls-doctor-rules.yaml', 'Check the pack before loading it')
          .epilog('Docs: docs/metrics.md'),
      handler: async (a) => {
        const args = a as unknown as { thresholds?: string; leafTtl: number };
        const { alertPack } = await loadScan();
        io.stdout.write(alertPack({ thresholds: args.thresholds !== undefined ? { path: args.thresholds } : undefined, leafTtlHours: args.leafTtl }));
        setCode(0);
      },
    },
  ];
}
