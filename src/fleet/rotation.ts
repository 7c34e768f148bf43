/**
 * The CA rotation phase, from what every pod holds. The safe order (Istio "Plug in CA certificates" and the
 * multi-root rotation guides) has five steps:
 *   (1) the new root is added to the mesh's trust source (cacerts root-cert.pem / the root ConfigMaps);
 *   (2) every pod's trust bundle holds it;
 *   (3) the CA issues from the new root (istiod loads the new ca-cert.pem);
 *   (4) every workload is re-issued under it;
 *   (5) the old root is removed from the trust bundles.
 * A phase is the step in progress; `complete` says it is done and the next may start. Doing a step early is a
 * violation, named with the pods it breaks: issuing from a root some pods do not trust yet (they reject the new
 * leaves), or removing a root that live leaves still chain to (those pods reject the old leaves).
 * With one root everywhere there is no rotation in progress: phase 0 (the state after step 5 looks the same).
 */
import type { RotationBlocker, RotationStatus } from './types.js';

export interface RootInfo {
  /** Identity for a verifier (subject + key). */
  key: string;
  fingerprint: string;
  subject: string;
  notBefore: number;
  /** Breaks a notBefore tie: the root that expires later is the newer. */
  notAfter?: number;
  trustedBy: string[];
  inConfigMaps: number;
}

export interface RotationInput {
  roots: RootInfo[];
  /** Pods whose trust bundle was read. */
  pods: string[];
  /** Pod → the root key its served leaf chains to (null: none known); only pods that serve a leaf. */
  chainsTo: ReadonlyMap<string, string | null>;
  podTrust: ReadonlyMap<string, readonly string[]>;
  /** Root keys the CA Secrets' issuing certificate (ca-cert.pem) chains to: what the CA issues under now. */
  caIssuesUnder?: readonly string[];
  setup: RotationStatus['setup'];
  /** Each namespace's root ConfigMap (what re-created pods there will trust): root keys. */
  configMaps?: ReadonlyArray<{ namespace: string; roots: readonly string[] }>;
  /** The CA Secrets' root-cert.pem (what istiod distributes): root keys. */
  caSecretRoots?: ReadonlyArray<{ where: string; namespace: string; roots: readonly string[] }>;
  /** The verify command over the scope the user gave. */
  verify?: string;
}

const NAMES: Record<RotationStatus['phase'], string> = {
  0: 'no rotation in progress',
  1: 'adding the new root to the trust bundles',
  2: 'distributing the new root to every pod',
  3: 'issuing from the new CA',
  4: 'rotating every workload to the new CA',
  5: 'removing the old root',
};

const list = (pods: string[], max = 5) => (pods.length <= max ? pods.join(', ') : `${pods.slice(0, max).join(', ')} and ${pods.length - max} more`);

export function rotationStatus(input: RotationInput): RotationStatus {
  // Oldest first: by notBefore. On a tie (roots made the same day) the newer is the one the CA issues under, else
  // the one that expires later, else the one fewer live leaves chain to, else the one fewer pods trust (a new root
  // is added beside the old one before anything is issued under it). The fingerprint only makes the order total.
  const leafCount = (k: string) => [...input.chainsTo.values()].filter((x) => x === k).length;
  const issuing = (k: string) => Number((input.caIssuesUnder ?? []).includes(k));
  const roots = [...input.roots].sort(
    (a, b) => a.notBefore - b.notBefore || issuing(a.key) - issuing(b.key) || (a.notAfter ?? 0) - (b.notAfter ?? 0) || leafCount(b.key) - leafCount(a.key) || b.trustedBy.length - a.trustedBy.length || a.fingerprint.localeCompare(b.fingerprint),
  );
  const base = { setup: input.setup, oldRoots: [] as string[], newRoots: [] as string[] };
  const lacking = (key: string) => input.pods.filter((p) => !(input.podTrust.get(p) ?? []).includes(key));
  const byKey = new Map(roots.map((r) => [r.key, r]));

  // Violations first: a leaf under a root that some pods do not trust, whichever phase we are in.
  const newest = roots[roots.length - 1];
  const violations: RotationStatus['violations'] = [];
  const leafRoots = new Set([...input.chainsTo.values()].filter((k): k is string => !!k));
  for (const key of [...leafRoots, ...(input.caIssuesUnder ?? [])]) {
    if (violations.some((v) => v.root === byKey.get(key)?.fingerprint)) continue;
    const missing = lacking(key);
    const r = byKey.get(key);
    if (!r || !missing.length) continue;
    const isNew = roots.length > 1 && key === newest!.key;
    violations.push(
      isNew
        ? { kind: 'issuing-before-trusted', root: r.fingerprint, pods: missing, detail: `The CA issues under the new root ${r.subject} while ${missing.length} pod(s) do not trust it yet: ${list(missing)} reject every new leaf.` }
        : { kind: 'root-removed-while-used', root: r.fingerprint, pods: missing, detail: `Root ${r.subject} is gone from ${missing.length} pod(s) (${list(missing)}) while live leaves still chain to it: those pods reject them.` },
    );
  }

  // What re-created pods and istiod would read: a trust source lacking a root in use makes every restart a break.
  const inUse = [...new Set([...leafRoots, ...(input.caIssuesUnder ?? [])])].filter((k) => byKey.has(k));
  const blockers: RotationBlocker[] = [];
  const named = (keys: string[]) => keys.map((k) => byKey.get(k)!.subject);
  for (const cm of input.configMaps ?? []) {
    const missing = inUse.filter((k) => !cm.roots.includes(k));
    if (!missing.length) continue;
    blockers.push({
      kind: 'configmap-missing-root',
      where: `${cm.namespace}/istio-ca-root-cert`,
      namespace: cm.namespace,
      missing: missing.map((k) => byKey.get(k)!.fingerprint),
      missingNames: named(missing),
      detail: `ConfigMap ${cm.namespace}/istio-ca-root-cert lacks ${named(missing).join(', ')}, which live leaves or the CA chain to: a pod re-created in ${cm.namespace} would not trust them.`,
    });
  }
  for (const sec of input.caSecretRoots ?? []) {
    const missing = inUse.filter((k) => !sec.roots.includes(k));
    if (!missing.length) continue;
    blockers.push({
      kind: 'ca-secret-missing-root',
      where: sec.where,
      namespace: sec.namespace,
      missing: missing.map((k) => byKey.get(k)!.fingerprint),
      missingNames: named(missing),
      detail: `Secret ${sec.where} lacks ${named(missing).join(', ')}, which live leaves or the CA chain to: istiod distributes this root-cert.pem, so every trust bundle it writes would reject them.`,
    });
  }
  const extra = { ...(blockers.length ? { blockers } : {}), ...(input.configMaps ? { configMapsRead: input.configMaps.map((c) => c.namespace).sort() } : {}), ...(input.verify ? { verify: input.verify } : {}) };

  if (roots.length <= 1) {
    const only = roots[0];
    return {
      ...base,
      ...extra,
      phase: 0,
      phaseName: NAMES[0],
      complete: true,
      progress: null,
      oldRoots: only ? [only.fingerprint] : [],
      violations,
      next: blockers.length
        ? blockerSentence(blockers)
        : violations.length
        ? stopSentence(violations)
        : only
          ? `No rotation in progress: every pod trusts the one root ${only.subject}. To rotate, add the new root beside it first (step 1), never replace it.`
          : 'No root was found in any pod: nothing to judge.',
    };
  }

  const olds = roots.slice(0, -1);
  const nw = newest!;
  base.oldRoots = olds.map((r) => r.fingerprint);
  base.newRoots = [nw.fingerprint];
  const n = input.pods.length;
  const trustNew = n - lacking(nw.key).length;
  const leafPods = [...input.chainsTo.keys()];
  const leavesNew = leafPods.filter((p) => input.chainsTo.get(p) === nw.key).length;
  const trustOld = input.pods.filter((p) => olds.some((o) => (input.podTrust.get(p) ?? []).includes(o.key))).length;
  const caOnNew = (input.caIssuesUnder ?? []).includes(nw.key);

  let phase: RotationStatus['phase'];
  let complete: boolean;
  let progress: RotationStatus['progress'];
  let next: string;
  if (leavesNew === 0 && !caOnNew) {
    if (trustNew === 0) {
      phase = 1;
      complete = false;
      progress = { done: nw.inConfigMaps, of: Math.max(nw.inConfigMaps, 1), what: 'root ConfigMaps hold the new root' };
      next = `The new root ${nw.subject} is in the CA material but in no pod's trust bundle yet: wait for istiod to push it (restart istiod if it does not), then check again. Do not issue from the new CA yet.`;
    } else if (trustNew < n) {
      phase = 2;
      complete = false;
      progress = { done: trustNew, of: n, what: 'pods trust the new root' };
      const missing = lacking(nw.key);
      next = `The new root is in ${trustNew} of ${n} trust bundles; ${list(missing)} lack it. Do not start issuing from the new CA until every pod trusts it (restart the pods that lack it).`;
    } else {
      phase = 2;
      complete = true;
      progress = { done: n, of: n, what: 'pods trust the new root' };
      next = 'Every pod trusts the new root: it is safe to start issuing from the new CA (step 3).';
    }
  } else if (leavesNew === 0) {
    phase = 3;
    complete = false;
    progress = { done: 0, of: leafPods.length, what: 'pods serve a leaf from the new CA' };
    next = 'The CA issues from the new root; restart workloads (or wait for rotation) so every leaf is re-issued (step 4).';
  } else if (leavesNew < leafPods.length) {
    phase = 4;
    complete = false;
    progress = { done: leavesNew, of: leafPods.length, what: 'pods serve a leaf from the new CA' };
    const old = leafPods.filter((p) => input.chainsTo.get(p) !== nw.key).sort();
    next = `${leavesNew} of ${leafPods.length} pods serve a leaf from the new CA; restart the rest (${list(old)}). Keep the old root in every trust bundle until all are re-issued.`;
  } else if (trustOld === n) {
    phase = 4;
    complete = true;
    progress = { done: leafPods.length, of: leafPods.length, what: 'pods serve a leaf from the new CA' };
    next = 'Every workload serves a leaf from the new CA: it is safe to remove the old root from the trust bundles (step 5).';
  } else {
    phase = 5;
    complete = trustOld === 0;
    progress = { done: n - trustOld, of: n, what: 'pods no longer trust the old root' };
    next = complete
      ? 'The old root is gone from every trust bundle: the rotation is done. Remove it from the CA material too if it is still there.'
      : `${trustOld} pod(s) still trust the old root; they drop it with their next trust-bundle update (restart them to hurry it).`;
  }
  return { ...base, ...extra, phase, phaseName: NAMES[phase], complete, progress, violations, next: blockers.length ? blockerSentence(blockers) : violations.length ? stopSentence(violations) : next };
}

function blockerSentence(b: RotationBlocker[]): string {
  const where = b.map((x) => (x.kind === 'configmap-missing-root' ? `ConfigMap ${x.where}` : `Secret ${x.where}`));
  const roots = [...new Set(b.flatMap((x) => x.missingNames))];
  return `Fix the trust sources first: ${list(where, 3)} lack${b.length === 1 ? 's' : ''} ${roots.join(' and ')}, which live leaves or the CA chain to. Until they hold every root in use, a restarted pod would not trust its peers: restart no pod before that.`;
}

function stopSentence(v: RotationStatus['violations']): string {
  const first = v[0]!;
  return first.kind === 'issuing-before-trusted'
    ? `Stop the rotation and fix the violation first: get the new root into the bundles of ${list(first.pods, 3)} (restart them), or put the old CA back as the issuer.`
    : `Stop the rotation and fix the violation first: add the old root back to the trust bundle until every leaf under it is re-issued.`;
}

const NS = 'istio-system';
const showRoots = (cmd: string) => `${cmd} | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs -noout`;
const configMapRoots = (ns: string) => showRoots(`kubectl -n ${ns} get configmap istio-ca-root-cert -o jsonpath='{.data.root-cert\\.pem}'`);
const cacertsRoots = () => showRoots(`kubectl -n ${NS} get secret cacerts -o jsonpath='{.data.root-cert\\.pem}' | base64 -d`);

/**
 * The commands for the next safe step, for the CA setup found (`rotation plan`). A step the model says would break
 * a connection is never printed: with a trust source that lacks a root in use (a blocker), fixing it comes first;
 * pods are deleted (re-created with their namespace's ConfigMap) only where that ConfigMap is known to hold the
 * root they lack.
 */
export function rotationPlan(status: RotationStatus): { step: string; commands: string[]; verify: string } {
  const verify = status.verify ?? 'mtls-doctor rotation status -A';
  const cacerts = status.setup === 'plug-in-cacerts';
  const ns = NS;
  const blockers = status.blockers ?? [];
  if (blockers.length) {
    const secretBlock = blockers.filter((b) => b.kind === 'ca-secret-missing-root');
    const cms = blockers.filter((b) => b.kind === 'configmap-missing-root');
    const roots = [...new Set(blockers.flatMap((b) => b.missingNames))];
    return {
      step: status.next,
      commands: [
        `# every trust source must hold every root in use (${roots.join(', ')}) before any pod is restarted`,
        ...(secretBlock.length || cacerts
          ? [
              `${cacertsRoots()}   # the roots istiod distributes`,
              'cat old-root-cert.pem new-root-cert.pem > root-cert.pem   # every root in use, concatenated',
              `kubectl -n ${ns} create secret generic cacerts --from-file=ca-cert.pem --from-file=ca-key.pem --from-file=cert-chain.pem --from-file=root-cert.pem --dry-run=client -o yaml | kubectl apply -f -`,
            ]
          : ['# the CA Secrets were not read (--read-ca-secrets): check that the mesh CA\'s root-cert.pem holds every root in use']),
        `kubectl -n ${ns} rollout restart deployment/istiod   # istiod rewrites the istio-ca-root-cert ConfigMaps from it`,
        ...cms.slice(0, 5).map((b) => `${configMapRoots(b.namespace)}   # must list ${b.missingNames.join(', ')}`),
        '# only then restart the pods that lack a root (mtls-doctor rotation plan says which)',
      ],
      verify,
    };
  }
  if (status.violations.length) {
    const v = status.violations[0]!;
    return {
      step: status.next,
      commands:
        v.kind === 'issuing-before-trusted'
          ? [
              cacerts ? `${cacertsRoots()}   # the roots the mesh distributes: both must be there` : `${configMapRoots(v.pods[0]?.split('/')[0] ?? ns)}   # the roots new pods there get`,
              // A deleted pod comes back with its namespace's ConfigMap: only where that was read (and no blocker
              // names it) is it known to hold the root the pod lacks.
              ...v.pods.slice(0, 5).map((p) => {
                const [pns, name] = p.split('/');
                return status.configMapsRead?.includes(pns!)
                  ? `kubectl -n ${pns} delete pod ${name}   # re-created with the current trust bundle`
                  : `${configMapRoots(pns!)}   # not read: must list the new root before pod ${name} is deleted`;
              }),
            ]
          : [`# put the old root back into root-cert.pem (old and new concatenated), then:`, `kubectl -n ${ns} rollout restart deployment/istiod`],
      verify,
    };
  }
  switch (status.phase) {
    case 0:
      return {
        step: 'Step 1: add the new root beside the old one in the trust source (never replace it).',
        commands: cacerts
          ? [
              'cat old-root-cert.pem new-root-cert.pem > root-cert.pem',
              `kubectl -n ${ns} create secret generic cacerts --from-file=ca-cert.pem --from-file=ca-key.pem --from-file=cert-chain.pem --from-file=root-cert.pem --dry-run=client -o yaml | kubectl apply -f -`,
              `kubectl -n ${ns} rollout restart deployment/istiod`,
            ]
          : ['# self-signed istiod CA or an external issuer: see the Istio "root certificate rotation" guide for your setup', `kubectl -n ${ns} get secret istio-ca-secret cacerts --ignore-not-found`],
        verify,
      };
    case 1:
    case 2:
      return status.complete
        ? {
            step: 'Step 3: issue from the new CA.',
            commands: cacerts
              ? [
                  `kubectl -n ${ns} create secret generic cacerts --from-file=ca-cert.pem=new-ca-cert.pem --from-file=ca-key.pem=new-ca-key.pem --from-file=cert-chain.pem=new-cert-chain.pem --from-file=root-cert.pem --dry-run=client -o yaml | kubectl apply -f -   # root-cert.pem still holds BOTH roots`,
                  `kubectl -n ${ns} rollout restart deployment/istiod`,
                ]
              : [`kubectl -n ${ns} rollout restart deployment/istiod`],
            verify,
          }
        : { step: 'Wait for step 2: every pod must trust the new root.', commands: [`kubectl -n ${ns} rollout restart deployment/istiod   # if pods do not receive it`], verify };
    case 3:
    case 4:
      return status.complete
        ? {
            step: 'Step 5: remove the old root from the trust bundles.',
            commands: cacerts
              ? [
                  'cp new-root-cert.pem root-cert.pem',
                  `kubectl -n ${ns} create secret generic cacerts --from-file=ca-cert.pem --from-file=ca-key.pem --from-file=cert-chain.pem --from-file=root-cert.pem --dry-run=client -o yaml | kubectl apply -f -`,
                  `kubectl -n ${ns} rollout restart deployment/istiod`,
                ]
              : [`kubectl -n ${ns} rollout restart deployment/istiod`],
            verify,
          }
        : { step: 'Finish step 4: re-issue every workload under the new CA.', commands: ['kubectl rollout restart deployment -n NAMESPACE   # per namespace, for the pods still on the old CA'], verify };
    case 5:
      return { step: status.complete ? 'Done: the rotation is complete.' : 'Finish step 5: the remaining pods drop the old root on their next update.', commands: [], verify };
  }
}
