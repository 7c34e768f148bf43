/**
 * The deciding step of `explain`: for the leading candidate causes, the commands whose output tells them apart —
 * first the `mtls-doctor diagnose` that collects the evidence every candidate needs (the pod and its peer in a
 * mesh, a probe of the peer elsewhere), then the one-liners the candidates' own rules name (`meta.hint.next`).
 * Never empty: text that proves little still ends in something to run.
 */
import type { DecidingStep, Proven } from '../model/finding.js';
import type { RuleId } from '../model/rule-id.js';
import type { RuleMeta } from '../engine/define-rule.js';

export interface Candidate {
  rule: RuleId;
  meta: RuleMeta;
  /** The rule's next command with its placeholders filled for this paste (the finding's `verify`). */
  next: string;
  /** What its output shows when this candidate is the cause. */
  confirm: string;
}

const MESH = new Set(['envoy/boringssl', 'istio', 'spire', 'linkerd']);

/** A shell-safe single-quoted argument. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The paste, cut to what `--symptom` needs: the most telling line, at most 100 characters. */
function symptomArg(fragment: string | undefined): string {
  const f = (fragment ?? '').replace(/^…/, '').replace(/…$/, '').trim();
  return f ? ` --symptom ${shellQuote(f.length > 100 ? f.slice(0, 100) : f)}` : '';
}

/** The diagnose command that collects what the candidates need, from where the paste came. */
function diagnoseCommand(proven: Proven, candidates: readonly Candidate[], fragment: string | undefined): string {
  const ids = new Set(candidates.map((c) => c.rule));
  const extra: string[] = [];
  if (ids.has('transport/sni-mismatch' as RuleId)) extra.push('--sni SERVER_NAME');
  if (ids.has('transport/alpn-mismatch')) extra.push('--alpn h2');
  const mesh = proven.stacks.some((s) => MESH.has(s));
  // In a mesh the pod that printed the paste is the one to diagnose; its peer is probed as that pod would.
  // In a mesh, judge the connection from the client's side: its policy, its view of the server, a probe as it would.
  const base = mesh
    ? 'mtls-doctor diagnose pod/CLIENT_POD -n NS --peer SERVICE.NS:PORT'
    : proven.rejection === 'peer-rejected-ours' || ids.has('transport/client-cert-required')
      ? 'mtls-doctor diagnose --chain client-chain.pem --key client-key.pem --trust ca.pem --peer HOST:PORT'
      : 'mtls-doctor diagnose --peer HOST:PORT';
  return [base, ...extra].join(' ') + symptomArg(fragment);
}

const LOOK_FOR = 'the finding ranked first, marked "explains the symptom"';

export function decidingSteps(proven: Proven, candidates: readonly Candidate[], fragment: string | undefined): DecidingStep[] {
  const top = candidates.slice(0, 3);
  const who = proven.writer === 'server' && proven.stacks.some((s) => MESH.has(s)) ? '; CLIENT_POD is the caller this server logged, SERVICE the service that printed it' : '';
  const steps: DecidingStep[] = [{ command: diagnoseCommand(proven, top, fragment), tellsApart: top.map((c) => c.rule), lookFor: LOOK_FOR + who }];
  const seen = new Set<string>([steps[0]!.command]);
  for (const c of top) {
    const cmd = c.next;
    if (!cmd || cmd.startsWith('mtls-doctor diagnose') || seen.has(cmd)) continue;
    seen.add(cmd);
    steps.push({ command: cmd, tellsApart: [c.rule], lookFor: c.confirm });
    if (steps.length >= 3) break;
  }
  if (top.length === 0) {
    // Nothing recognised: raise the log level to get the line that names the reason, and probe the peer.
    steps.push({ command: 'istioctl proxy-config log POD -n NS --level connection:debug,tls:debug  # then read the line before TLS_error', tellsApart: [], lookFor: 'a "TLS_error", "verify cert failed" or "x509:" line' });
  }
  return steps;
}
