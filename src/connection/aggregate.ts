/**
 * A connection judgement as a report sees it: the judgements of one pod against every class of a service's
 * ready pods (or of every caller class against one service) folded into one finding per rule and direction,
 * saying "k of n endpoints" and naming them, with the pods not read listed (never counted healthy) and the
 * server sidecars' own counters as live corroboration. Pure.
 */
import type { RawFinding } from '../engine/run.js';
import type { ConnectionJudge, ConnectionOutcome as EngineOutcome, RuleRunner } from '../engine/evaluate.js';
import type { Rule } from '../engine/define-rule.js';
import type { Thresholds } from '../model/thresholds.js';
import type { RuleId } from '../model/rule-id.js';
import type { ConnectionEvidence } from '../model/workload.js';
import { SEVERITIES } from '../model/stage.js';
import { judgeConnections, type ConnectionFinding, type ConnectionJudgement } from './judge.js';


export interface ConnectionOutcome extends EngineOutcome {
  judgements: ConnectionJudgement[];
}

/** The engine's hook (EvaluateOptions.connections): the evidence's connections, judged and folded. */
export const connectionJudge: ConnectionJudge = (evidence, rules, runner) =>
  judgeEvidenceConnections(evidence.connections!, { at: Date.parse(evidence.evaluatedAt), rules, runner, thresholds: evidence.options.thresholds });

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

/** Counter names as people read them: `ssl.fail_verify_error`. */
const shortCounter = (k: string) => k.replace(/^listener\.[^]*?\.ssl\./, 'ssl.');

/**
 * Judges the connections of the evidence and folds them for the report. `perspective`: whose side is `local`
 * (`pod`: the client; `service`: the server).
 */
export function judgeEvidenceConnections(ce: ConnectionEvidence, o: { at: number; rules: readonly Rule[]; runner: RuleRunner; thresholds?: Thresholds }): ConnectionOutcome {
  const perspective = ce.kind === 'service' ? 'server' : 'client';
  const judgements = judgeConnections(ce, { at: o.at, rules: o.rules, runner: o.runner, perspective, ...(o.thresholds ? { thresholds: o.thresholds } : {}) });
  const evaluatedRules = new Set<RuleId>();
  for (const j of judgements) for (const id of j.evaluated) evaluatedRules.add(id);
  // The far side: server pods for a pod's diagnosis, caller pods for a service's.
  const far = (f: ConnectionFinding) => (perspective === 'client' ? f.connection.server : f.connection.client);
  const groups = new Map<string, ConnectionFinding[]>();
  for (const j of judgements) {
    for (const f of j.findings) {
      const near = perspective === 'client' ? f.connection.client.class : f.connection.server.class;
      const k = `${f.rule}|${f.connection.direction}|${near}|${f.subject}|${f.severity}`;
      groups.set(k, [...(groups.get(k) ?? []), f]);
    }
  }
  const total = ce.endpoints.total;
  const notRead = ce.notRead.filter((p) => p.side === (perspective === 'client' ? 'server' : 'client'));
  const findings: RawFinding[] = [];
  for (const fs of groups.values()) {
    const worst = [...fs].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0]!;
    const pods = [...new Set(fs.flatMap((f) => far(f).pods))];
    const classes = [...new Set(fs.map((f) => far(f).class))];
    const fromConfigMap = fs.some((f) => f.evidence.some((e) => /could not be read: judged with the roots of/.test(e.detail)));
    const k = pods.length;
    const scope =
      perspective === 'client'
        ? ` This holds for ${k} of ${total} ready ${plural(total, 'endpoint')} of ${svc(ce)}: ${pods.join(', ')}${fromConfigMap ? ' (judged from the namespace\'s istio-ca-root-cert ConfigMap: their sidecars could not be read)' : ''}.`
        : ` Callers affected: ${k} of ${ce.callers?.total ?? k} ready caller ${plural(ce.callers?.total ?? k, 'pod')} (${pods.join(', ')}), calling ${svc(ce)} on ${[...new Set(fs.flatMap((f) => f.connection.server.pods))].join(', ')}${fromConfigMap ? ' (partly judged from a namespace\'s istio-ca-root-cert ConfigMap: some sidecars could not be read)' : ''}.`;
    const missing = notRead.length ? ` Not read (unknown, not counted healthy): ${notRead.map((p) => `pod/${p.name} (${p.reason})`).join('; ')}.` : '';
    const live = liveEvidence(ce, fs);
    findings.push({
      ...worst,
      explanation: `${worst.explanation}${scope}${missing}`,
      evidence: [...worst.evidence, ...live],
      confidence: live.length ? Math.min(1, Math.round((worst.confidence + (1 - worst.confidence) * 0.5) * 100) / 100) : worst.confidence,
      about: `${worst.about}|${classes.join(',')}`,
      connection: { ...worst.connection, ...(perspective === 'client' ? { server: { class: classes.join(', '), pods } } : { client: { class: classes.join(', '), pods } }) },
    } as ConnectionFinding);
  }
  const incomplete = notRead.length > 0 || judgements.some((j) => j.unjudged.length > 0) || judgements.length === 0;
  return { findings, judgements, evaluatedRules, incomplete, judged: judgements.length };
}

const svc = (ce: ConnectionEvidence) => {
  const s = ce.connections[0]?.service;
  return s ? `${s.name}.${s.namespace}:${s.port}` : 'the service';
};

/** The server sidecars' inbound SSL counters, for findings about the client's chain as the servers judge it. */
function liveEvidence(ce: ConnectionEvidence, fs: ConnectionFinding[]): Array<{ source: string; detail: string }> {
  if (!ce.counters || !fs.some((f) => f.connection.direction === 'client-to-server')) return [];
  const out: Array<{ source: string; detail: string }> = [];
  const pods = new Set(fs.flatMap((f) => f.connection.server.pods.map((p) => p.replace(/^pod\/(?:[^/]+\/)?/, ''))));
  for (const [pod, counters] of Object.entries(ce.counters)) {
    if (!pods.has(pod)) continue;
    const moving = Object.entries(counters).filter(([k, v]) => v > 0 && /fail_verify|no_certificate|connection_error/.test(k));
    if (moving.length) out.push({ source: `pod/${pod} istio-proxy stats`, detail: `${moving.map(([k, v]) => `${shortCounter(k)} ${v}`).join(', ')} (cumulative): this server's sidecar has been rejecting or failing TLS handshakes` });
  }
  return out;
}
