/**
 * A pod diagnosis knows the pod and its namespace: the commands its report prints name them instead of the
 * POD -n NS placeholders the rules write, and "not evaluated" asks for what can be given in this mode (the CA
 * Secrets, a peer service) rather than files. Only our own side is filled in: a placeholder for the peer's pod
 * (PEER_POD) or a finding about the peer stays as the rule wrote it. Pure.
 */
import { FACT_HINTS } from '../facts/types.js';
import type { Finding, NotEvaluated, Report } from '../report/types.js';

/** What to ask for instead of a file, when the target is a pod. */
const POD_HINTS: Record<string, string> = {
  [FACT_HINTS.ca]: "the mesh CA's certificates (--read-ca-secrets: the cacerts / istio-ca-secret Secrets, keys dropped)",
  [FACT_HINTS['peer-trust']]: "the peer's trust bundle (--peer SVC:PORT: the peer service's pods, read from the cluster)",
  [FACT_HINTS['verifier-trust']]: 'the trust bundle the verifying side uses (--peer SVC:PORT: the peer service, read from the cluster)',
  [FACT_HINTS.handshake]: 'a test handshake with the peer (--in-pod --peer SVC:PORT: the handshake runs inside the pod)',
};

/** `POD` as a word of its own (not PEER_POD, CLIENT_POD, PEER-POD, $POD), with the `-n NS` that may follow it. */
const POD_WORD = /(^|[^\w$-])POD(?![\w-])( -n (?:NS|NAMESPACE)(?![\w-]))?/g;

/** kubectl subcommands that take the pod's name and need its namespace beside it. */
const NEEDS_NAMESPACE = /kubectl (?:logs|exec|delete pod|get pod|describe pod|debug)(?: -\S+)* $/;

/** A command or a sentence with our pod's name and namespace in place of POD / NS. */
export function fillPod(text: string, pod: string, ns: string): string {
  const named = text.replace(POD_WORD, (_m, pre: string, withNs: string | undefined, at: number) => {
    const before = text.slice(0, at + pre.length);
    return `${pre}${pod}${withNs || NEEDS_NAMESPACE.test(before) ? ` -n ${ns}` : ''}`;
  });
  // The workload's deployment is in the pod's namespace (its name is not known here).
  return named.replace(/(deployment\/NAME) -n (?:NS|NAMESPACE)(?![\w-])/g, `$1 -n ${ns}`);
}

/** The report of a pod target with its commands and hints filled in; any other report as it is. */
export function forPod(report: Report): Report {
  const t = report.target;
  if (t.kind !== 'pod' || typeof t.name !== 'string' || typeof t.namespace !== 'string' || !t.name || !t.namespace) return report;
  const pod = t.name.replace(/^pod\//, '');
  const ns = t.namespace;
  const fill = (s: string) => fillPod(s, pod, ns);
  const findings = report.findings.map((f): Finding => (f.subject === 'local' ? { ...f, verify: fill(f.verify), remediation: f.remediation.map(fill) } : f));
  const notEvaluated = report.notEvaluated.map((n): NotEvaluated => (n.missing.some((m) => POD_HINTS[m]) ? { ...n, missing: n.missing.map((m) => POD_HINTS[m] ?? m) } : n));
  return { ...report, findings, notEvaluated };
}
