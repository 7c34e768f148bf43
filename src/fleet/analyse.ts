/**
 * The fleet view, aggregated from the fleet model (src/diagnose/fleet-model.ts): expiry at every CA level (each
 * distinct certificate once, however many pods hold it, with the expiry rules' judgement), trust-bundle drift,
 * who can no longer verify whom, and the CA rotation phase. Pure aggregation: no certificate is judged here (the
 * rules did that), so this module imports nothing from src/x509 or src/collect.
 */
import { VERSION } from '../version.js';
import { rotationStatus, type RootInfo } from './rotation.js';
import type { CertificateRow, ConfigMapDrift, DriftGroup, ExpiryStatus, FleetModel, Level, ModelCert, PodRow, ScanReport, TrustGap } from './types.js';

export interface AnalyseOptions {
  scope?: ScanReport['scope'];
  durationSeconds?: number;
}

const STATUS_ORDER: Record<ExpiryStatus, number> = { expired: 0, 'not-yet-valid': 1, critical: 2, warning: 3, ok: 4 };

export function analyseFleet(model: FleetModel, opts: AnalyseOptions = {}): ScanReport {
  const now = model.now;
  const byKey = new Map(model.roots.map((r) => [r.key, r]));
  const display = (k: string) => byKey.get(k)?.fingerprint ?? k;
  const okPods = model.pods.filter((p) => p.status === 'ok');
  const podTrust = new Map(okPods.map((p) => [`${p.namespace}/${p.name}`, p.trust]));
  const chainsTo = new Map<string, string | null>(okPods.filter((p) => p.class !== null).map((p) => [`${p.namespace}/${p.name}`, p.chainsTo]));

  const rows: PodRow[] = model.pods.map((p) =>
    p.status !== 'ok'
      ? { namespace: p.namespace, name: p.name, status: 'failed', reason: p.reason ?? 'unknown', leaf: null, roots: [] }
      : {
          namespace: p.namespace,
          name: p.name,
          status: 'ok',
          ...(p.reason ? { reason: p.reason } : {}),
          leaf: p.leaf ? { serial: p.leaf.serial, notAfter: new Date(p.leaf.notAfter).toISOString(), issuer: p.leaf.issuer } : null,
          roots: p.trust.map(display).sort(),
          chainsTo: p.chainsTo ? display(p.chainsTo) : null,
        },
  );

  // Expiry at every level: CAs first (the one that expires is rarely the one you watch), earliest first.
  const row = (cert: ModelCert, level: Level, pods: number, extra: Partial<CertificateRow> = {}): CertificateRow => ({
    level,
    subject: cert.subject || cert.name,
    serial: cert.serial,
    fingerprint: cert.fingerprint,
    notAfter: new Date(cert.notAfter).toISOString(),
    secondsLeft: Math.round((cert.notAfter - now) / 1000),
    pods,
    status: cert.status,
    ...extra,
  });
  const caRows = [
    ...model.intermediates.map((e) => row(e, 'intermediate', e.pods, e.alsoIn.length ? { alsoIn: e.alsoIn } : {})),
    ...model.roots.map((r) => row(r, 'root', r.trustedBy.length, r.alsoIn.length ? { alsoIn: r.alsoIn } : {})),
  ].sort((a, b) => a.secondsLeft - b.secondsLeft || STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  // Leaves aggregated per workload: the one closest to trouble stands for it (the worst judgement, then the earliest).
  const leavesByWorkload = new Map<string, { cert: ModelCert; namespace: string; workload: string; pods: number }>();
  for (const p of okPods) {
    if (!p.leaf) continue;
    const workload = p.workload ?? p.name;
    const wl = `${p.namespace}/${workload}`;
    const prev = leavesByWorkload.get(wl);
    const worse = !prev || STATUS_ORDER[p.leaf.status] < STATUS_ORDER[prev.cert.status] || (STATUS_ORDER[p.leaf.status] === STATUS_ORDER[prev.cert.status] && p.leaf.notAfter < prev.cert.notAfter);
    if (worse) leavesByWorkload.set(wl, { cert: p.leaf, namespace: p.namespace, workload, pods: (prev?.pods ?? 0) + 1 });
    else prev.pods++;
  }
  const leafRows = [...leavesByWorkload.values()]
    .map((l) => row(l.cert, 'leaf', l.pods, { namespace: l.namespace, workload: l.workload }))
    .sort((a, b) => a.secondsLeft - b.secondsLeft);
  const certificates = [...caRows, ...leafRows];

  // Trust-bundle drift: pods grouped by the set of roots they trust; the largest group is the consensus.
  const groups = new Map<string, { keys: string[]; pods: string[] }>();
  for (const [pod, keys] of podTrust) {
    const g = groups.get(keys.join(',')) ?? { keys, pods: [] };
    g.pods.push(pod);
    groups.set(keys.join(','), g);
  }
  const sortedGroups = [...groups.values()].sort((a, b) => b.pods.length - a.pods.length || a.keys.join().localeCompare(b.keys.join()));
  const names = (keys: string[]) => keys.map((k) => byKey.get(k)?.name ?? k);
  const drift: DriftGroup[] = sortedGroups.map((g, i) => ({ roots: g.keys.map(display).sort(), rootNames: names(g.keys), pods: g.pods.sort(), majority: i === 0 }));
  const configMapDrift: ConfigMapDrift[] = [];
  for (const { namespace: ns, roots: keys } of model.configMaps) {
    const pods = [...podTrust].filter(([id, k]) => id.startsWith(`${ns}/`) && k.join() !== keys.join()).map(([id]) => id).sort();
    if (pods.length) configMapDrift.push({ namespace: ns, configMapRoots: keys.map(display).sort(), rootNames: names(keys), pods });
  }
  const driftPods = new Set([...drift.filter((g) => !g.majority).flatMap((g) => g.pods), ...configMapDrift.flatMap((d) => d.pods)]);

  // Who can no longer talk to whom: leaves under a root that some pods do not trust.
  const trustGaps: TrustGap[] = [];
  for (const key of new Set([...chainsTo.values()].filter((k): k is string => !!k))) {
    const serving = [...chainsTo].filter(([, k]) => k === key).length;
    const untrusting = [...podTrust].filter(([, keys]) => !keys.includes(key)).map(([id]) => id).sort();
    if (untrusting.length) trustGaps.push({ root: display(key), rootSubject: byKey.get(key)?.name ?? key, servingPods: serving, untrustingPods: untrusting });
  }

  const rootInfos: RootInfo[] = model.roots.map((r) => ({
    key: r.key,
    fingerprint: r.fingerprint,
    subject: r.name,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    trustedBy: r.trustedBy,
    inConfigMaps: r.alsoIn.filter((w) => w.startsWith('configmap ')).length,
  }));
  const scope = opts.scope ?? { namespaces: [...new Set(model.pods.map((p) => p.namespace))].sort() };
  const rotation = rotationStatus({
    roots: rootInfos,
    pods: [...podTrust.keys()].sort(),
    chainsTo,
    podTrust,
    caIssuesUnder: model.caIssuesUnder,
    setup: model.setup,
    configMaps: model.configMaps,
    caSecretRoots: model.caSecretRoots,
    ...(opts.scope ? { verify: verifyCommand(opts.scope) } : {}),
  });

  const earliestCa = caRows[0] ?? null;
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-doctor', version: VERSION },
    evaluatedAt: new Date(now).toISOString(),
    scope,
    summary: { pods: model.pods.length, ok: okPods.length, failed: model.pods.length - okPods.length, driftPods: driftPods.size, earliest: earliestCa ?? leafRows[0] ?? null },
    pods: rows,
    certificates,
    drift,
    configMapDrift,
    trustGaps,
    rotation,
    ...(opts.durationSeconds !== undefined ? { durationSeconds: opts.durationSeconds } : {}),
    classes: model.classes,
    connections: model.connections,
    connectionsJudged: model.connectionsJudged,
  };
}

/** `rotation status` over the scope the user gave (`-n shop`, not `-A`), to verify a step. */
export function verifyCommand(scope: ScanReport['scope']): string {
  const sel = scope.selector ? ` -l '${scope.selector}'` : '';
  if (scope.namespaces === 'all' || scope.namespaces.length === 0) return `mtls-doctor rotation status -A${sel}`;
  if (scope.namespaces.length === 1) return `mtls-doctor rotation status -n ${scope.namespaces[0]}${sel}`;
  return `for ns in ${scope.namespaces.join(' ')}; do mtls-doctor rotation status -n "$ns"${sel}; done`;
}
