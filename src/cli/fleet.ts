/**
 * The fleet commands: `scan`, `rotation status|plan`, `alerts`. Faces only: they build the scan (from the
 * cluster, or a saved scan with --evidence), judge it with src/fleet/analyse.ts, render, and map to an exit code.
 */
import type { Argv, CommandModule } from 'yargs';
import { readInputFile } from '../collect/files.js';
import { inputError, MtlsDoctorError, usageError } from '../errors.js';
import { parseAt } from '../evidence/from-inputs.js';
import { resolveThresholds, type Thresholds } from '../facts/thresholds.js';
import { colorEnabled } from '../report/style.js';
import { alertRules, renderAlertRules } from '../fleet/alerts.js';
import { analyseFleet } from '../fleet/analyse.js';
import { FLEET_BUNDLE_KIND, parseFleetBundle, serializeFleetBundle, type FleetBundle } from '../fleet/bundle.js';
import { renderPrometheus } from '../fleet/prometheus.js';
import { renderRotationText, renderScanMarkdown, renderScanText, SCAN_FORMATS } from '../fleet/render.js';
import { rotationPlan } from '../fleet/rotation.js';
import { DEFAULT_CONCURRENCY, type FleetSource, scanFleet } from '../fleet/scan.js';
import type { ScanReport } from '../fleet/types.js';
import { writeFileAtomic } from './diagnose.js';
import type { Io } from './main.js';

export interface FleetArgs {
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  concurrency: number;
  output: string;
  evidence?: string;
  saveEvidence?: string;
  readCaSecrets?: boolean;
  at?: string;
  thresholds?: string;
  failOn: 'error' | 'warning';
  context?: string;
  kubeconfig?: string;
}

/**
 * Where the pods come from in cluster mode. Replaced by the Kubernetes collector when it is built in; until
 * then a scan replays a saved one (--evidence).
 */
export type ClusterFleetSource = (args: FleetArgs, io: Io) => Promise<FleetSource>;
let clusterSource: ClusterFleetSource | null = null;
export function setClusterFleetSource(f: ClusterFleetSource): void {
  clusterSource = f;
}

const scopeOptions = (y: Argv) =>
  y
    .option('namespace', { alias: 'n', type: 'string', describe: 'Scan this namespace (default: the kubeconfig context namespace)' })
    .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'Scan every namespace' })
    .option('selector', { alias: 'l', type: 'string', describe: 'Only pods matching this label selector (kubectl syntax)' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Pods read at once (1–256)' })
    .option('read-ca-secrets', { type: 'boolean', describe: 'Also read the CA Secrets (cacerts, istio-ca-secret): certificates only, never the key' })
    .option('context', { type: 'string', describe: 'kubeconfig context' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)' })
    .option('evidence', { type: 'string', describe: 'Judge a saved scan instead of reading the cluster', normalize: true })
    .option('save-evidence', { type: 'string', describe: 'Write what the scan read (certificates only) to this file', normalize: true })
    .option('at', { type: 'string', describe: 'Judge at this time (ISO 8601) instead of now' })
    .option('thresholds', { type: 'string', describe: 'JSON file of expiry thresholds (as for diagnose)', normalize: true })
    .option('fail-on', { choices: ['error', 'warning'] as const, default: 'error' as const, describe: 'Exit 1 when something at or above this level is found' });

function loadThresholds(path: string | undefined): Thresholds {
  if (!path) return resolveThresholds(undefined);
  const text = readInputFile(path, '--thresholds', 64 * 1024).toString('utf8');
  try {
    return resolveThresholds(JSON.parse(text), `--thresholds "${path}"`);
  } catch (e) {
    if (e instanceof MtlsDoctorError) throw e;
    throw inputError(`Cannot read --thresholds file "${path}": not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** A one-line progress counter on a terminal's stderr; nothing when stderr is not a terminal. */
function progress(io: Io): ((done: number, total: number) => void) | undefined {
  const err = io.stderr as { isTTY?: boolean; write(s: string): unknown };
  if (!err.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const w = 24;
    const bar = '█'.repeat(Math.round((done / total) * w)).padEnd(w, '░');
    err.write(`\r${bar} ${done}/${total} pods${done === total ? '\n' : ''}`);
  };
}

async function buildScan(args: FleetArgs, io: Io): Promise<{ bundle: FleetBundle; report: ScanReport }> {
  if (args.namespace && args.allNamespaces) throw usageError('Cannot combine -n/--namespace with -A/--all-namespaces: pick one');
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 256) throw usageError(`Cannot use --concurrency ${args.concurrency}: give a whole number from 1 to 256`);
  const thresholds = loadThresholds(args.thresholds);
  let bundle: FleetBundle;
  if (args.evidence) {
    for (const [flag, v] of [['-n', args.namespace], ['-A', args.allNamespaces], ['-l', args.selector], ['--read-ca-secrets', args.readCaSecrets], ['--context', args.context], ['--kubeconfig', args.kubeconfig]] as const) {
      if (v) throw usageError(`Cannot combine --evidence with ${flag}: a saved scan already holds what was read`);
    }
    bundle = parseFleetBundle(readInputFile(args.evidence, '--evidence', 256 * 1024 * 1024).toString('utf8'), `"${args.evidence}"`);
  } else {
    if (!clusterSource) {
      throw new MtlsDoctorError('E_NO_EVIDENCE', 'Cannot scan the cluster: this build has no Kubernetes collector yet; judge a saved scan with --evidence FILE');
    }
    const started = Date.now();
    const source = await clusterSource(args, io);
    const input = await scanFleet(source, { concurrency: args.concurrency, onProgress: progress(io) });
    bundle = {
      kind: FLEET_BUNDLE_KIND,
      schemaVersion: 1,
      collectedAt: new Date().toISOString(),
      scope: { namespaces: args.allNamespaces ? 'all' : [...new Set(input.pods.map((p) => p.namespace))].sort(), ...(args.selector ? { selector: args.selector } : {}) },
      durationSeconds: (Date.now() - started) / 1000,
      input,
    };
    if (!input.pods.length) throw new MtlsDoctorError('E_NO_EVIDENCE', `No pods matched${args.selector ? ` -l ${args.selector}` : ''} in ${args.allNamespaces ? 'any namespace' : `namespace ${args.namespace ?? 'of the current context'}`}`);
  }
  const now = args.at ? parseAt(args.at, Date.now()) : Date.now();
  const report = analyseFleet(bundle.input, { now, thresholds, scope: bundle.scope, durationSeconds: bundle.durationSeconds });
  if (args.saveEvidence) writeFileAtomic(args.saveEvidence, serializeFleetBundle(bundle), 'saved scan');
  return { bundle, report };
}

/** Exit 1 on an expired/critical CA, a rotation violation or cut-off pods; with --fail-on warning also on warnings and drift. */
export function scanExitCode(r: ScanReport, failOn: 'error' | 'warning'): number {
  if (r.summary.ok === 0 && r.summary.pods > 0) return 3;
  const bad = r.certificates.some((c) => c.status === 'expired' || c.status === 'critical' || c.status === 'not-yet-valid') || r.rotation.violations.length > 0 || r.trustGaps.length > 0;
  const warn = r.certificates.some((c) => c.status === 'warning') || r.summary.driftPods > 0;
  return bad || (failOn === 'warning' && warn) ? 1 : 0;
}

const width = (io: Io) => ((io.stdout as { columns?: number }).columns || Number(io.env.COLUMNS) || 80);

export function fleetCommands(io: Io, setCode: (c: number) => void): CommandModule[] {
  return [
    {
      command: 'scan',
      describe: 'Scan every sidecar: expiry at every CA level, trust-bundle drift, who cannot verify whom, the rotation phase',
      builder: (y) =>
        scopeOptions(y)
          .option('output', { alias: 'o', choices: SCAN_FORMATS, default: 'text' as const, describe: 'Output format (prometheus: for the textfile collector or a push)' })
          .example('$0 scan -A', 'Every namespace: the CA that expires first leads the report')
          .example('$0 scan -n shop -o json | jq .rotation', 'The rotation phase, for a bot')
          .example('$0 scan -A -o prometheus > /var/lib/node-exporter/mtls.prom', 'Metrics for Prometheus (see `mtls-doctor alerts`)')
          .epilog('Exit codes: 0 fine; 1 an expired or critical CA, a rotation-order violation or pods cut off (--fail-on warning: also warnings and drift); 2 bad usage; 3 no pod could be read.'),
      handler: async (a) => {
        const args = a as unknown as FleetArgs;
        const { report } = await buildScan(args, io);
        const color = args.output === 'text' && colorEnabled(io.stdout, io.env);
        const out =
          args.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : args.output === 'markdown' ? renderScanMarkdown(report) : args.output === 'prometheus' ? renderPrometheus(report) : renderScanText(report, { color, width: width(io) });
        io.stdout.write(out);
        setCode(scanExitCode(report, args.failOn));
      },
    },
    {
      command: 'rotation <action>',
      describe: 'The CA rotation phase (1–5) from what every pod holds (status), and the next safe step with its commands (plan)',
      builder: (y) =>
        scopeOptions(y)
          .positional('action', { choices: ['status', 'plan'] as const, describe: 'status: the phase and any violation; plan: the next safe step' })
          .option('output', { alias: 'o', choices: ['text', 'json', 'markdown'] as const, default: 'text' as const })
          .example('$0 rotation status -A', 'Which of the five steps the mesh is in, and who is not there yet')
          .example('$0 rotation plan -A', 'The next safe step, with the commands to take it and to verify it'),
      handler: async (a) => {
        const args = a as unknown as FleetArgs & { action: 'status' | 'plan' };
        const { report } = await buildScan(args, io);
        const rot = report.rotation;
        const plan = args.action === 'plan' ? rotationPlan(rot) : undefined;
        if (args.output === 'json') io.stdout.write(JSON.stringify(plan ? { ...rot, plan } : rot, null, 2) + '\n');
        else if (args.output === 'markdown') io.stdout.write([`**Rotation:** phase ${rot.phase} of 5 — ${rot.phaseName}${rot.complete ? ' (complete)' : ''}`, '', rot.next, ...rot.violations.map((v) => `- **${v.kind}**: ${v.detail}`), ...(plan ? ['', '```sh', ...plan.commands, plan.verify, '```'] : [])].join('\n') + '\n');
        else io.stdout.write(renderRotationText(rot, { color: colorEnabled(io.stdout, io.env), plan: !!plan, width: width(io) }));
        setCode(rot.violations.length ? 1 : report.summary.ok === 0 && report.summary.pods > 0 ? 3 : 0);
      },
    },
    {
      command: 'alerts',
      describe: 'Print a Prometheus rule pack: expiry per CA level, workload rotation stalled, istiod CA expiry, rotation-order violations, drift',
      builder: (y) =>
        y
          .option('thresholds', { type: 'string', describe: 'JSON file of expiry thresholds (the same file diagnose and scan take)', normalize: true })
          .option('leaf-ttl', { type: 'number', default: 24, describe: 'Workload certificate lifetime in hours (Istio default 24)' })
          .example('$0 alerts > mtls-doctor-rules.yaml && promtool check rules mtls-doctor-rules.yaml', 'Check the pack before loading it'),
      handler: (a) => {
        const args = a as unknown as { thresholds?: string; leafTtl: number };
        if (!(args.leafTtl > 0 && args.leafTtl <= 24 * 365)) throw usageError(`Cannot use --leaf-ttl ${args.leafTtl}: give the workload certificate lifetime in hours (e.g. 24)`);
        io.stdout.write(renderAlertRules(alertRules(loadThresholds(args.thresholds), args.leafTtl)));
        setCode(0);
      },
    },
  ];
}
