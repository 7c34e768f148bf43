/**
 * `scan --what-if strict` (issue 25): which connections a PeerAuthentication STRICT would break if it were
 * applied now to one workload (pod/X), a namespace (-n) or the mesh (-A). The same judgement on an edited model
 * (DESIGN.md "Workloads and connections"): the policies the scan read, with the STRICT one added (standing in for
 * the policy of the same level and target), and every caller × service port judged by the policy rules (rules/
 * policy, through src/connection/judge.ts `judgeConnection`) before and after. A connection breaks when the edit
 * brings a finding that breaks traffic (critical or error, not a forecast) that was not there before.
 *
 * What the API does not show — callers in namespaces not scanned, outside the cluster, the kubelet, Prometheus —
 * is said in `cannotSee`; where the server sidecars' telemetry was read, the plaintext inbound it counted
 * (`connection_security_policy="none"`) names its sources, and those the API view missed are added as breaking.
 */
import { ruleRunner } from '../engine/evaluate.js';
import { sourceLabel } from '../report/source-label.js';
import type { Rule } from '../engine/define-rule.js';
import { emptyClusterEvidence, type ClusterEvidence, type PeerAuthenticationRecord, type PodRecord } from '../evidence/cluster.js';
import { buildClusterFacts, effectivePeerAuthentication, modeForPort, resolveTargetPort, describePolicy, selects } from '../facts/policy.js';
import { inboundBypass, outboundExcluded } from '../facts/capture.js';
import { judgeConnection } from '../connection/judge.js';
import type { ConnectionRecord, WorkloadClass } from '../model/workload.js';
import type { FleetPolicy, WhatIfBreak, WhatIfReport, WhatIfScope } from '../fleet/types.js';
import { rules as ALL_RULES } from '../../rules/index.js';

const ref = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
/** Labels that differ between the pods of one workload: never part of a workload selector. */
const PER_POD = /^(pod-template-hash|controller-revision-hash|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|security\.istio\.io\/tlsMode|service\.istio\.io\/.*)$/;
const BREAKS = new Set(['critical', 'error']);
/** pilot-agent's status port: the injector rewrites HTTP/gRPC probes to it (`/app-health/<container>/…`). */
const AGENT_PORT = 15020;

/** The selector a workload PeerAuthentication for this pod would use: its `app` label, else its stable labels. */
export function workloadSelector(pod: PodRecord): Record<string, string> {
  for (const k of ['app', 'app.kubernetes.io/name']) if (pod.labels[k]) return { [k]: pod.labels[k]! };
  return Object.fromEntries(Object.entries(pod.labels).filter(([k]) => !PER_POD.test(k)));
}

const yamlOf = (pa: PeerAuthenticationRecord) =>
  [
    'apiVersion: security.istio.io/v1',
    'kind: PeerAuthentication',
    'metadata:',
    `  name: ${pa.name}`,
    `  namespace: ${pa.namespace}`,
    'spec:',
    ...(pa.selector ? ['  selector:', '    matchLabels:', ...Object.entries(pa.selector).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)] : []),
    '  mtls:',
    '    mode: STRICT',
  ].join('\n');

/** The edit: the STRICT policy, and the list without the ones of the same level and target it stands in for. */
export function strictEdit(policy: FleetPolicy, scope: WhatIfScope): { added: PeerAuthenticationRecord[]; removed: PeerAuthenticationRecord[]; after: PeerAuthenticationRecord[] } {
  const rootNs = policy.meshConfig?.rootNamespace ?? 'istio-system';
  const noSelector = (p: PeerAuthenticationRecord) => !p.selector || Object.keys(p.selector).length === 0;
  let added: PeerAuthenticationRecord[];
  let drop: (p: PeerAuthenticationRecord) => boolean;
  if (scope.kind === 'mesh') {
    added = [{ name: 'default', namespace: rootNs, creationTimestamp: null, selector: null, mode: 'STRICT', portLevelMtls: {} }];
    drop = (p) => p.namespace === rootNs && noSelector(p);
  } else if (scope.kind === 'namespace') {
    added = scope.namespaces.map((ns) => ({ name: 'default', namespace: ns, creationTimestamp: null, selector: null, mode: 'STRICT' as const, portLevelMtls: {} }));
    drop = (p) => scope.namespaces.includes(p.namespace) && noSelector(p);
  } else {
    const pod = policy.pods.find((p) => p.namespace === scope.namespace && p.name === scope.pod)!;
    const selector = workloadSelector(pod);
    const name = `${pod.workload ?? Object.values(selector)[0] ?? pod.name}-strict`.slice(0, 63);
    added = [{ name, namespace: pod.namespace, creationTimestamp: null, selector, mode: 'STRICT', portLevelMtls: {} }];
    drop = (p) => p.namespace === pod.namespace && !noSelector(p) && selects(p.selector!, pod.labels);
  }
  const removed = policy.peerAuthentications.filter(drop);
  return { added, removed, after: [...policy.peerAuthentications.filter((p) => !drop(p)), ...added] };
}

const classOf = (id: string, pods: readonly PodRecord[]): WorkloadClass => ({
  id,
  spiffeId: null,
  namespace: pods[0]?.namespace ?? '',
  serviceAccount: pods[0]?.serviceAccount ?? 'default',
  caFingerprints: [],
  trustRoots: [],
  verifier: 'envoy',
  leaf: null,
  chain: [],
  trust: [],
  from: 'sidecar',
  source: 'policy (what-if)',
  pods: pods.map((p) => ({ namespace: p.namespace, name: p.name, ready: p.ready, revision: null, leaf: null })),
});

export interface WhatIfOptions {
  now: number;
  rules?: readonly Rule[];
  /** The scan covered every namespace (-A): callers elsewhere are then only outside the cluster. */
  allNamespaces: boolean;
}

export function judgeWhatIf(policy: FleetPolicy, scope: WhatIfScope, o: WhatIfOptions): WhatIfReport {
  const rules = (o.rules ?? ALL_RULES).filter((r) => r.meta.stage === 'policy');
  const runner = ruleRunner(rules, sourceLabel);
  const rootNs = policy.meshConfig?.rootNamespace ?? 'istio-system';
  const { added, removed, after } = strictEdit(policy, scope);
  const before = policy.peerAuthentications;
  const pa = added[0]!;

  // Which sidecar pods the edit makes STRICT on some port (the servers whose callers are judged).
  const modes = (pod: PodRecord, pas: readonly PeerAuthenticationRecord[]) => effectivePeerAuthentication(rootNs, pas, pod);
  const inScope = (p: PodRecord) => (scope.kind === 'mesh' ? true : scope.kind === 'namespace' ? scope.namespaces.includes(p.namespace) : p.namespace === pa.namespace && selects(pa.selector!, p.labels));
  const portsOf = (p: PodRecord) => [...new Set([...p.containers.flatMap((c) => c.ports.map((x) => x.port)), ...policy.services.filter((s) => s.namespace === p.namespace && selects(s.selector, p.labels)).flatMap((s) => s.ports.map((x) => resolveTargetPort(x.targetPort, x.port, p)).filter((x): x is number => x !== null))])];
  const becomesStrict = (p: PodRecord, port: number | null) => modeForPort(modes(p, before), port) !== 'STRICT' && modeForPort(modes(p, after), port) === 'STRICT';
  const servers = policy.pods.filter((p) => p.sidecar && inScope(p) && [null, ...portsOf(p)].some((port) => becomesStrict(p, port)));
  const serverSet = new Set(servers.map(ref));
  const exempt = policy.pods
    .filter((p) => p.sidecar && inScope(p))
    .map((p) => ({ p, m: modes(p, after) }))
    .filter(({ m }) => m.mode !== 'STRICT')
    .map(({ p, m }) => ({ pod: ref(p), mode: m.mode, why: describePolicy(m, null) }));

  // Callers: every pod the scan listed, grouped by workload (the same sidecar, capture and labels judge alike).
  const groups = new Map<string, Array<FleetPolicy['pods'][number]>>();
  // Ambient-mode pods have no sidecar, yet ztunnel carries their mTLS: not judged as plaintext callers.
  const ambient = policy.pods.filter((p) => !p.sidecar && p.labels['istio.io/dataplane-mode'] === 'ambient');
  const ambientSet = new Set(ambient);
  for (const p of policy.pods) {
    if (ambientSet.has(p)) continue;
    const stable = Object.entries(p.labels).filter(([k]) => !PER_POD.test(k)).sort();
    const k = JSON.stringify([p.namespace, p.workload ?? p.name, p.sidecar, p.capture ?? null, stable]);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }

  const breaking: WhatIfBreak[] = [];
  const unenforced = new Map<string, { pods: string[]; port: number; why: string }>();
  let judged = 0;
  let pairs = 0;
  for (const svc of policy.services) {
    const backing = policy.pods.filter((p) => p.namespace === svc.namespace && Object.keys(svc.selector).length > 0 && selects(svc.selector, p.labels));
    const hit = backing.filter((p) => serverSet.has(ref(p)));
    if (!hit.length) continue;
    for (const port of svc.ports) {
      // A port that bypasses the server's sidecar (excluded from capture) never meets its policy: not enforced there.
      const affected: PodRecord[] = [];
      for (const p of hit) {
        const target = resolveTargetPort(port.targetPort, port.port, p);
        if (!becomesStrict(p, target)) continue;
        const why = inboundBypass(p, target);
        if (!why) {
          affected.push(p);
          continue;
        }
        const k = `${svc.namespace}/${svc.name}:${port.port}|${why}`;
        const u = unenforced.get(k) ?? (unenforced.set(k, { pods: [], port: target ?? port.port, why }), unenforced.get(k)!);
        u.pods.push(ref(p));
      }
      if (!affected.length) continue;
      const strictNow = new Set(affected.map(ref));
      const server = classOf(`server ${svc.namespace}/${svc.name}`, affected);
      const peer = { name: svc.name, namespace: svc.namespace, port: port.port, targetPort: port.targetPort, portName: port.name, appProtocol: port.appProtocol, selector: svc.selector, pods: backing, clusterIP: svc.clusterIP };
      for (const pods of groups.values()) {
        const rep = pods[0]!;
        const callers = pods.filter((p) => !backing.some((b) => ref(b) === ref(p)));
        if (!callers.length) continue;
        const excludedOutbound = outboundExcluded(rep, port.port, svc.clusterIP, backing.map((b) => b.ip));
        const cluster = (pas: readonly PeerAuthenticationRecord[]): ClusterEvidence => ({ ...emptyClusterEvidence(), pod: rep, meshConfig: policy.meshConfig, peerAuthentications: [...pas], destinationRules: [...policy.destinationRules], peer: { ...peer, ...(excludedOutbound ? { excludedOutbound } : {}) } });
        // Only a caller that would not send Istio mTLS to an affected endpoint can meet a policy finding the edit changes.
        pairs++;
        const facts = buildClusterFacts(cluster(after), [], sourceLabel);
        if (!facts.peer!.endpoints.some((e) => strictNow.has(ref(e.pod)) && e.sends.tls !== 'ISTIO_MUTUAL')) continue;
        const client = classOf(`client ${rep.namespace}/${rep.workload ?? rep.name}`, callers);
        const classes = new Map([[client.id, client], [server.id, server]]);
        const conn: ConnectionRecord = {
          client: client.id,
          server: server.id,
          service: { namespace: svc.namespace, name: svc.name, port: port.port, targetPort: port.targetPort },
          expectedServerIds: [],
          expectedFrom: 'none',
          destinationRule: facts.peer!.destinationRule ? ref(facts.peer!.destinationRule) : null,
          acceptedTrustDomains: [],
          clientTls: 'ISTIO_MUTUAL',
          clientTlsWhy: 'policy what-if',
          serverMode: 'STRICT',
          serverModeWhy: `what-if: PeerAuthentication ${ref(pa)} STRICT`,
        };
        const judge = (pas: readonly PeerAuthenticationRecord[]) => judgeConnection(conn, classes, { at: o.now, rules, runner, cluster: cluster(pas) }).findings.filter((f) => BREAKS.has(f.severity) && !f.forecast);
        judged++;
        const was = new Set(judge(before).map((f) => `${f.rule}|${f.about}`));
        for (const f of judge(after)) {
          if (was.has(`${f.rule}|${f.about}`)) continue;
          breaking.push({
            client: { pods: callers.map(ref), namespace: rep.namespace, workload: rep.workload ?? null, sidecar: rep.sidecar },
            server: { pods: affected.map(ref), service: `${svc.namespace}/${svc.name}`, port: port.port },
            rule: f.rule,
            severity: f.severity,
            title: f.title,
            reason: f.explanation,
            fix: f.remediation,
            verify: f.verify,
            from: 'policy',
          });
        }
      }
    }
  }

  // Telemetry: plaintext inbound the servers' sidecars counted, named by its source labels.
  const telemetry = policy.telemetry.filter((t) => serverSet.has(t.pod));
  for (const t of telemetry) {
    if (t.status !== 'ok') continue;
    for (const row of t.plaintext) {
      const seen = { pod: t.pod, metric: row.metric, count: row.count };
      const known = row.sourceWorkload !== 'unknown';
      const match = known ? breaking.find((b) => b.from === 'policy' && b.client.namespace === row.sourceNamespace && b.client.workload === row.sourceWorkload && b.server.pods.includes(t.pod)) : undefined;
      if (match) {
        (match.seen ??= []).push(seen);
        continue;
      }
      const same = breaking.find((b) => b.from === 'telemetry' && b.client.namespace === (known ? row.sourceNamespace : null) && b.client.workload === (known ? row.sourceWorkload : null) && b.server.pods.includes(t.pod));
      if (same) {
        same.seen!.push(seen);
        continue;
      }
      const svc = row.destinationService !== 'unknown' ? row.destinationService.split('.').slice(0, 2).reverse().join('/') : null;
      const caller = known ? `${row.sourceNamespace}/${row.sourceWorkload}` : 'an unidentified caller (source_workload="unknown")';
      breaking.push({
        client: { pods: [], namespace: known ? row.sourceNamespace : null, workload: known ? row.sourceWorkload : null, sidecar: null },
        server: { pods: [t.pod], service: svc, port: null },
        rule: 'policy/strict-plaintext-client',
        severity: 'critical',
        title: 'A STRICT mTLS server is called in plaintext',
        reason: `pod/${t.pod.split('/')[1]}'s sidecar counted ${row.count} ${row.metric === 'istio_requests_total' ? 'requests' : 'TCP connections'} without mTLS (${row.metric}{reporter="destination",connection_security_policy="none"}) from ${caller}${row.sourcePrincipal !== 'unknown' ? ` (${row.sourcePrincipal})` : ''}: under STRICT its inbound listener has no plaintext filter chain, and Envoy resets them (no_filter_chain_match). ${known ? 'The scan did not list this caller (another namespace, or gone since): it is seen only here.' : 'A caller without a sidecar sends no peer metadata, so its name is not known: it may be a pod outside the scan, something outside the mesh, a kubelet probe that was not rewritten, or a Prometheus scrape.'} The counter is cumulative since the sidecar started: the traffic may have stopped.`,
        fix: ["Put the caller in the mesh (inject its sidecar) or make it send Istio mTLS (DestinationRule tls ISTIO_MUTUAL, no capture exclusion) before enforcing STRICT", 'Or keep this workload PERMISSIVE (a workload PeerAuthentication, or portLevelMtls for the port) until its plaintext callers are gone'],
        verify: `kubectl exec ${t.pod.split('/')[1]} -n ${t.pod.split('/')[0]} -c istio-proxy -- pilot-agent request GET stats/prometheus | grep 'connection_security_policy="none"'`,
        from: 'telemetry',
        seen: [seen],
      });
    }
  }

  // The kubelet's probes: exec runs inside the container, TCP only tests the connect (Envoy accepts it); HTTP and
  // gRPC probes the injector did not rewrite to pilot-agent arrive in plaintext at a captured port.
  const probes: WhatIfReport['probes'] = [];
  for (const p of servers) {
    for (const pr of p.probes ?? []) {
      if ((pr.kind !== 'http' && pr.kind !== 'grpc') || pr.port === null || pr.port === AGENT_PORT) continue;
      if (!becomesStrict(p, pr.port) || inboundBypass(p, pr.port)) continue;
      probes.push({ pod: ref(p), container: pr.container, probe: `${pr.type} ${pr.kind === 'http' ? `httpGet ${pr.path ?? '/'}` : 'grpc'}`, port: pr.port, why: `the kubelet calls port ${pr.port} in plaintext (the probe was not rewritten to pilot-agent :${AGENT_PORT}: sidecar.istio.io/rewriteAppHTTPProbers is off?); under STRICT it fails and the pod goes ${pr.type === 'liveness' ? 'into restarts' : 'unready'}` });
    }
  }

  const read = telemetry.filter((t) => t.status === 'ok').length;
  const unavailable = telemetry.filter((t) => t.status !== 'ok').map((t) => ({ pod: t.pod, reason: t.reason ?? 'unknown' }));
  const cannotSee = [
    ...(o.allNamespaces ? [] : ['Callers in namespaces the scan did not list: seen only through the servers\' telemetry (scan -A to judge them from the API).']),
    'Callers outside the cluster or beside the mesh (VMs, NodePort/LoadBalancer traffic sent straight to pods, hostNetwork pods): not in the API; the telemetry shows them only if they called since the sidecar started.',
    `The kubelet: exec probes run inside the container and TCP probes only test the connect (the sidecar accepts it), so both survive; HTTP and gRPC probes survive when the injector rewrote them to pilot-agent :${AGENT_PORT} (the default)${probes.length ? ' — those below were not' : ''}.`,
    `Prometheus: scraping through Istio's metrics merge (:${AGENT_PORT}/stats/prometheus) survives; a Prometheus without a sidecar scraping app ports directly fails, and shows in the telemetry as source_workload="unknown".`,
    `Ambient mode: ${ambient.length ? `${ambient.length} pod${ambient.length === 1 ? '' : 's'} labelled istio.io/dataplane-mode=ambient (${ambient.slice(0, 3).map(ref).join(', ')}${ambient.length > 3 ? ', …' : ''}) ${ambient.length === 1 ? 'is' : 'are'} not judged (ztunnel carries their mTLS); ` : ''}a pod without a sidecar whose namespace (not the pod) is labelled for ambient is judged as a plaintext caller: namespaces are not read.`,
    ...(telemetry.length === 0 ? ['No server sidecar\'s telemetry was read: plaintext callers the API does not show are not counted.'] : unavailable.length ? [`${unavailable.length} of ${telemetry.length} server sidecars' telemetry could not be read: plaintext callers of those pods are counted only from the API.`] : []),
    ...policy.problems,
  ];
  const order = (b: WhatIfBreak) => `${b.from === 'policy' ? 0 : 1}|${b.server.service ?? '~'}|${b.server.port ?? 0}|${b.client.namespace ?? '~'}|${b.client.workload ?? '~'}`;
  breaking.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    mode: 'STRICT',
    scope,
    policy: { namespace: pa.namespace, name: pa.name, selector: pa.selector, replaces: removed.map(ref), yaml: added.map(yamlOf).join('\n---\n') },
    servers: servers.map(ref).sort(),
    exempt,
    breaking,
    unenforced: [...unenforced.values()],
    probes,
    cannotSee,
    telemetry: { read, of: telemetry.length, unavailable },
    pairs,
    judged,
  };
}
