/**
 * istiod writes the mesh root into the ConfigMap `istio-ca-root-cert` (key `root-cert.pem`) of every namespace;
 * a new pod's istio-proxy reads its trust bundle from there at start, while running proxies hold the roots SDS
 * delivered (`ROOTCA`). When the two differ, new pods and running pods trust different roots: mid CA rotation that
 * is expected for a short while, but if it persists, new pods will reject the running ones (or the reverse)
 * with "unknown CA" (alert 48) / CERTIFICATE_VERIFY_FAILED.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'policy/root-configmap-stale',
    stage: 'policy',
    severity: 'warning',
    title: "The namespace's root ConfigMap differs from the roots the proxy holds",
    description: "The `istio-ca-root-cert` ConfigMap of the pod's namespace holds different roots than Envoy's ROOTCA: new pods will trust something else than the running ones.",
    requires: ['cluster', 'proxy'],
    confidence: 0.8,
    citation: 'Istio plug-in CA rotation: istiod distributes the root through the istio-ca-root-cert ConfigMap; proxies read it at start',
    messages: {
      differs:
        'ConfigMap {source} holds {cmRoots}, but the istio-proxy of {pod} trusts {proxyRoots} (ROOTCA). Pods that start now get the ConfigMap roots: {consequence}',
    },
    explains: [
      { symptom: 'verify:unknown-issuer', weight: 0.5, why: 'New pods verify with the ConfigMap root, running ones with ROOTCA: a chain under the other root is unknown.' },
      { symptom: 'envoy:fail_verify_error', weight: 0.4, why: 'The sidecar rejects a peer chain issued under a root it does not hold.' },
    ],
    hint: {
      confirm: "the namespace's istio-ca-root-cert ConfigMap holds different roots than the proxy's ROOTCA",
      next: 'mtls-doctor diagnose pod/POD -n NS',
      fix: 'Finish the CA rotation in order (both roots everywhere, new intermediate, then drop the old root); restart pods still on the old bundle.',
    },
    remediation: [
      'If a CA rotation is under way, finish it in order: both roots in the bundle everywhere first, then the new intermediate, then drop the old root (mtls-doctor rotation status)',
      'If istiod cannot update the ConfigMap, check its logs and RBAC for configmaps in {namespace}; restart {pod} to pick up the current root once the ConfigMap is right',
    ],
    verify: "kubectl -n {namespace} get configmap istio-ca-root-cert -o jsonpath='{.data.root-cert\\.pem}' | openssl x509 -noout -fingerprint -sha256",
  },
  applies: (ctx) => !!ctx.facts.cluster?.rootConfigMap && ctx.facts.cluster.rootConfigMap.certs.length > 0 && !!ctx.facts.proxy?.secrets.some((s) => s.name === 'ROOTCA' && s.state === 'active' && s.certs.length > 0),
  check(ctx) {
    const c = ctx.facts.cluster!;
    const cm = c.rootConfigMap!;
    const rootca = ctx.facts.proxy!.secrets.find((s) => s.name === 'ROOTCA' && s.state === 'active')!;
    const inProxy = new Set(rootca.certs.map((x) => x.fingerprint));
    const inCm = new Set(cm.certs.map((x) => x.fingerprint));
    const onlyCm = cm.certs.filter((x) => !inProxy.has(x.fingerprint));
    const onlyProxy = rootca.certs.filter((x) => !inCm.has(x.fingerprint));
    if (onlyCm.length === 0 && onlyProxy.length === 0) return;
    const shared = cm.certs.some((x) => inProxy.has(x.fingerprint));
    const name = (xs: typeof cm.certs) => xs.map((x) => `"${x.subject}" (${x.fingerprint.slice(0, 16)}…)`).join(', ');
    ctx.report({
      messageId: 'differs',
      severity: shared ? 'warning' : 'error',
      subject: c.pod ? `pod/${c.pod.name}` : 'local',
      about: `root-configmap:${cm.source}`,
      data: {
        source: `${cm.namespace}/${cm.name}`,
        namespace: cm.namespace || 'NS',
        pod: c.pod ? `pod/${c.pod.name}` : 'the pod',
        cmRoots: name(cm.certs),
        proxyRoots: name(rootca.certs),
        consequence: shared
          ? `they still share a root, so this pod and the namespace's new pods still trust each other (what its peers trust is another question: --peer SVC:PORT judges them); that breaks when the ${onlyProxy.length ? 'root only running pods hold is dropped' : 'new root is the only one left'}.`
          : 'no root is common, so new pods and running pods reject each other ("unknown CA", alert 48).',
      },
      evidence: [
        { source: cm.source, detail: `root-cert.pem: ${name(cm.certs)}` },
        { source: rootca.source, detail: name(rootca.certs) },
      ],
    });
  },
});
