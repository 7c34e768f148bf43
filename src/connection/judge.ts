/**
 * The one connection judgement: a client class → server class through a service port, judged both ways by the
 * same engine and the same rules as a single workload (rules/), so that `diagnose pod/A --peer`, `diagnose
 * svc/B`, the fleet scan and the library cannot disagree about a connection.
 *
 * Each direction is an ordinary evidence bundle handed to the engine:
 * - `client-to-server`: the client's chain (its sidecar's `default` secret) presented to the SERVER, verified
 *   with the server's trust bundle by the server's verifier (Envoy/BoringSSL, ztunnel/rustls, Go), used as a TLS
 *   client (EKU clientAuth);
 * - `server-to-client`: the server's chain verified with the client's trust bundle by the client's verifier,
 *   used as a TLS server (EKU serverAuth), against the identities the client expects (secure naming, or the
 *   DestinationRule's subjectAltNames);
 * - `policy`: the TLS mode each side's policy yields (PeerAuthentication, DestinationRule), when the cluster
 *   objects are given.
 * A finding is the rule's own finding with `connection: { client, server, direction }` added. Pure: no clock
 * (`at` is given), no I/O.
 */
import { resolveThresholds, type Thresholds } from '../model/thresholds.js';
import type { RawFinding } from '../engine/run.js';
import type { RuleRunner } from '../engine/evaluate.js';
import type { Rule } from '../engine/define-rule.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type CertSet, type EvidenceBundle } from '../evidence/types.js';
import type { ClusterEvidence } from '../evidence/cluster.js';
import type { Stage } from '../model/stage.js';
import type { RuleId } from '../model/rule-id.js';
import type { Source, SourceLabel } from '../model/source.js';
import type { ConnectionDirection, ConnectionRecord, ConnectionRef, WorkloadClass } from '../model/workload.js';

/** The stages a connection direction is judged in; transport needs a handshake, policy has its own direction. */
const CERT_STAGES: readonly Stage[] = ['expiry', 'chain', 'san', 'key-usage'];

/** A rule's finding about a connection. */
export interface ConnectionFinding extends RawFinding {
  connection: ConnectionRef;
}

export interface ConnectionJudgement {
  connection: ConnectionRecord;
  /**
   * `broken`: a finding breaks it now (a side rejects the other); `at-risk`: warnings or forecasts only;
   * `unknown`: nothing breaks it in what was seen, but a direction could not be judged (a chain not read);
   * `ok`: both ways judged, nothing found.
   */
  status: 'broken' | 'at-risk' | 'unknown' | 'ok';
  findings: ConnectionFinding[];
  /** Directions that could not be judged, and why (one sentence). */
  unjudged: Array<{ direction: ConnectionDirection; reason: string }>;
  /** The rules that ran on a direction (not insufficient-evidence, not not-applicable, not a rule-error). */
  evaluated: RuleId[];
}

export interface JudgeOptions {
  /** Evaluation time, ms since the epoch. */
  at: number;
  /** The rules (rules/index.ts `rules`); only those of the cert stages and policy run. */
  rules: readonly Rule[];
  thresholds?: Thresholds;
  /**
   * Whose side `local` is in the findings' `subject`: the client's (`diagnose pod/A --peer`: the default) or the
   * server's (`diagnose svc/B`). The other side is `peer`.
   */
  perspective?: 'client' | 'server';
  /**
   * The cluster objects for the policy direction: the client pod as `pod`, the service with the server class's
   * pods as `peer`, the PeerAuthentication / DestinationRule lists and the mesh config (the shape the kube
   * collector records). Absent: the policy direction is not judged.
   */
  cluster?: ClusterEvidence;
  /** The engine's rule runner (src/engine/evaluate.ts `ruleRunner(rules)`: build it once for many connections). */
  runner: RuleRunner;
}

const ISO = (ms: number) => new Date(ms).toISOString();

/** The typed source of a class's chain or trust bundle (for evidence lines and verify commands). */
function originOf(c: WorkloadClass, what: 'chain' | 'trust'): Source {
  const given = what === 'chain' ? c.chainOrigin : c.trustOrigin;
  if (given) return given;
  const pod = c.pods[0];
  if (c.from === 'root-configmap') return { kind: 'kube', resource: 'configmap', namespace: c.namespace, name: 'istio-ca-root-cert', key: 'root-cert.pem' };
  if (c.from === 'sidecar' && pod) return { kind: 'envoy-secret', name: what === 'chain' ? 'default' : 'ROOTCA', pod: { namespace: pod.namespace, name: pod.name } };
  return { kind: 'inline', name: `${c.serviceAccount}-${what}` };
}

function certSet(c: WorkloadClass, what: 'chain' | 'trust', label: SourceLabel): CertSet {
  const origin = originOf(c, what);
  return { source: label(origin), origin, pems: what === 'chain' ? c.chain : c.trust };
}

/** One direction as an evidence bundle: `presenter`'s chain, judged as `verifier` judges it. */
export function directionEvidence(presenter: WorkloadClass, verifier: WorkloadClass, o: { role: 'client' | 'server'; expectIds: string[]; at: number; thresholds: Thresholds; label: SourceLabel }): EvidenceBundle {
  return {
    kind: EVIDENCE_KIND,
    version: EVIDENCE_VERSION,
    collectedAt: ISO(o.at),
    evaluatedAt: ISO(o.at),
    target: { kind: 'pod', name: `class ${presenter.id}` },
    options: { role: o.role, expectId: o.expectIds[0] ?? null, ...(o.expectIds.length > 1 ? { expectIds: o.expectIds } : {}), peerId: null, thresholds: o.thresholds, verifier: verifier.verifier },
    sources: [],
    certificates: { chain: certSet(presenter, 'chain', o.label), trust: presenter.trust.length ? [certSet(presenter, 'trust', o.label)] : [], peerTrust: [certSet(verifier, 'trust', o.label)], ca: [] },
    key: null,
    symptomText: null,
  };
}

const podNames = (c: WorkloadClass) => c.pods.map((p) => (p.namespace === c.namespace ? `pod/${p.name}` : `pod/${p.namespace}/${p.name}`));

/** Judges one connection both ways (and its policy, with `opts.cluster`). */
export function judgeConnection(conn: ConnectionRecord, classes: ReadonlyMap<string, WorkloadClass>, opts: JudgeOptions): ConnectionJudgement {
  const client = classes.get(conn.client);
  const server = classes.get(conn.server);
  if (!client || !server) throw new Error(`judgeConnection: unknown class ${!client ? conn.client : conn.server}`);
  const thresholds = opts.thresholds ?? resolveThresholds(undefined);
  const perspective = opts.perspective ?? 'client';
  const certRules = opts.rules.filter((r) => CERT_STAGES.includes(r.meta.stage));
  const { buildFacts, runRules, catalogue, label } = opts.runner;
  const ref = (direction: ConnectionDirection): ConnectionRef => ({ client: { class: client.id, pods: podNames(client) }, server: { class: server.id, pods: podNames(server) }, direction });
  const findings: ConnectionFinding[] = [];
  const unjudged: ConnectionJudgement['unjudged'] = [];
  const evaluated = new Set<RuleId>();
  const ran = (rs: readonly Rule[], notEvaluated: ReadonlyArray<{ rule: RuleId }>) => {
    for (const r of rs) if (!notEvaluated.some((n) => n.rule === r.meta.id)) evaluated.add(r.meta.id);
  };
  const service = `${conn.service.name}.${conn.service.namespace}:${conn.service.port}`;

  const direction = (dir: 'client-to-server' | 'server-to-client') => {
    const [presenter, verifier] = dir === 'client-to-server' ? [client, server] : [server, client];
    const who = dir === 'client-to-server' ? 'client' : 'server';
    if (presenter.chain.length === 0) {
      unjudged.push({ direction: dir, reason: `the ${who}'s chain was not read (${presenter.source}): what ${podNames(presenter).join(', ')} present${presenter.pods.length === 1 ? 's' : ''} is unknown` });
      return;
    }
    if (verifier.trust.length === 0) {
      unjudged.push({ direction: dir, reason: `the ${dir === 'client-to-server' ? 'server' : 'client'}'s trust bundle was not read (${verifier.source})` });
      return;
    }
    // The server accepts a client from its trust domain and aliases (Istio's inbound SAN prefix match); the
    // client, the identities of secure naming or its DestinationRule.
    const expectIds = dir === 'server-to-client' ? conn.expectedServerIds : conn.acceptedTrustDomains.map((td) => `spiffe://${td}/ns/${client.namespace}/sa/${client.serviceAccount}`);
    const ev = directionEvidence(presenter, verifier, { role: who, expectIds, at: opts.at, thresholds, label });
    const run = runRules(certRules, buildFacts(ev, { label }), catalogue);
    ran(certRules, run.notEvaluated);
    const mine = who === perspective;
    const verifierName = `${verifier.verifier} verifier`;
    const context = {
      source: 'connection',
      detail:
        dir === 'client-to-server'
          ? `${podNames(client).join(', ')} → ${service} (${podNames(server).join(', ')}): the client's chain as the server's ${verifierName} verifies it, with ${label(originOf(server, 'trust'))}${conn.acceptedTrustDomains.length ? `, accepting trust domain${conn.acceptedTrustDomains.length === 1 ? '' : 's'} ${conn.acceptedTrustDomains.join(', ')}` : ''}`
          : `${podNames(client).join(', ')} → ${service} (${podNames(server).join(', ')}): the server's chain as the client's ${verifierName} verifies it, with ${label(originOf(client, 'trust'))}${conn.expectedServerIds.length ? `, expecting ${conn.expectedServerIds.join(' or ')} (${conn.expectedFrom})` : ''}`,
    };
    const fromConfigMap = verifier.from === 'root-configmap';
    for (const f of run.findings) {
      findings.push({
        ...f,
        subject: f.subject === 'local' ? (mine ? 'local' : 'peer') : f.subject === 'peer' ? (mine ? 'peer' : 'local') : f.subject,
        about: `${dir}:${f.about ?? ''}`,
        // The rules speak from the presenting side ("our chain", "the peer"): say whose side that is.
        explanation: mine ? f.explanation : `Seen from the ${who}'s side (${podNames(presenter).join(', ')}): ${f.explanation}`,
        // Judged against the roots the namespace's ConfigMap hands out, not the pod's own bundle: less sure.
        confidence: fromConfigMap ? Math.round(f.confidence * 0.8 * 100) / 100 : f.confidence,
        evidence: [context, ...(fromConfigMap ? [{ source: verifier.source, detail: `${podNames(verifier).join(', ')} could not be read: judged with the roots of ${verifier.source}, which istiod hands to the namespace's pods` }] : []), ...f.evidence],
        connection: ref(dir),
      });
    }
  };
  direction('client-to-server');
  direction('server-to-client');

  if (opts.cluster) {
    const policyRules = opts.rules.filter((r) => r.meta.stage === 'policy');
    const names = new Set(server.pods.map((p) => `${p.namespace}/${p.name}`));
    const cluster: ClusterEvidence = { ...opts.cluster, peer: opts.cluster.peer ? { ...opts.cluster.peer, pods: opts.cluster.peer.pods.filter((p) => names.has(`${p.namespace}/${p.name}`)) } : null, peerIdentities: [] };
    const ev: EvidenceBundle = { ...directionEvidence(client, server, { role: 'client', expectIds: [], at: opts.at, thresholds, label }), certificates: { chain: null, trust: [], peerTrust: null, ca: [] }, cluster };
    const run = runRules(policyRules, buildFacts(ev, { label }), catalogue);
    ran(policyRules, run.notEvaluated);
    for (const f of run.findings) findings.push({ ...f, about: `policy:${f.about ?? ''}`, connection: ref('policy') });
  }

  const now = findings.some((f) => (f.severity === 'critical' || f.severity === 'error') && !f.forecast);
  const risk = findings.some((f) => f.severity === 'warning' || f.forecast);
  const status: ConnectionJudgement['status'] = now ? 'broken' : unjudged.length ? 'unknown' : risk ? 'at-risk' : 'ok';
  return { connection: conn, status, findings, unjudged, evaluated: [...evaluated] };
}

/** Judges every connection of a set of classes (the fleet: every pair that can talk, once). */
export function judgeConnections(input: { classes: readonly WorkloadClass[]; connections: readonly ConnectionRecord[] }, opts: JudgeOptions): ConnectionJudgement[] {
  const classes = new Map(input.classes.map((c) => [c.id, c]));
  return input.connections.map((c) => judgeConnection(c, classes, opts));
}
