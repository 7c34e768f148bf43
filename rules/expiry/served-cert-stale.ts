/**
 * The certificate that matters is the one Envoy serves, not the one someone thinks it has. Real incidents:
 * the agent held a fresh certificate while Envoy still served an expired one (hashicorp/consul#16779,
 * istio/istio#3155); listeners kept serving a stale certificate after a new one arrived (istio/istio#39985).
 * Compares what Envoy serves (its SDS `default` secret, and the leaves `/certs` lists per TLS context) with
 * every other copy we saw: the pilot-agent's current certificate and the mounted credential files.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { duration, iso } from '../_kit/index.js';
import type { EvidenceRef } from '../../src/model/finding.js';

/** Two expiry times closer than this are the same certificate as far as a gauge in whole seconds can tell. */
const SAME_EXPIRY_MS = 120_000;

interface View {
  label: string;
  serial: string;
  notBefore: number;
  notAfter: number;
}

const norm = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+/, '') || '0';
const state = (v: { notAfter: number }, now: number) => (now > v.notAfter ? `expired ${duration(now - v.notAfter)} ago` : `${duration(v.notAfter - now)} left`);
const ref = (v: View, now: number): EvidenceRef => ({
  source: v.label,
  detail: `serial ${v.serial}, notBefore ${Number.isFinite(v.notBefore) ? iso(v.notBefore) : 'unknown'}, notAfter ${iso(v.notAfter)} (${state(v, now)})`,
});

export default defineRule({
  meta: {
    id: 'expiry/served-cert-stale',
    stage: 'expiry',
    severity: 'error',
    title: 'Envoy serves a different certificate than the newest one available',
    description:
      "The certificate Envoy serves differs from a newer one the agent or the mounted files hold (or is expired while a valid one exists), or some TLS contexts still serve an older certificate than SDS delivered.",
    requires: ['proxy'],
    confidence: 0.9,
    citation: 'Envoy admin /certs and /config_dump (SecretsConfigDump); Istio pilot-agent istio_agent_cert_expiry_seconds',
    explains: [
      { symptom: 'verify:expired-leaf', weight: 0.5, why: 'A renewed certificate may exist while the proxy still serves the old one (SDS push or hot restart missed).' },
      { symptom: 'verify:expired', weight: 0.45, why: 'The proxy may still serve an old certificate although a renewed one exists.' },
      { symptom: 'alert:45', weight: 0.5, why: 'Our proxy may serve an old certificate although a renewed one exists (consul#16779).' },
    ],
    hint: {
      confirm: 'the certificate on the wire differs from the newest one the agent holds',
      next: 'kubectl exec {pod} -c istio-proxy -- pilot-agent request GET certs',
      fix: 'Restart the istio-proxy (or the pod) so Envoy loads the current secret.',
    },
    messages: {
      servedExpired:
        'Envoy serves {served}, which expired at {servedNotAfter} ({servedState}), while {other} holds a valid certificate (serial {otherSerial}, valid until {otherNotAfter}). Peers reject this workload although a good certificate exists: it never reached Envoy.',
      servedOlder:
        'Envoy serves {served} (valid until {servedNotAfter}), but {other} holds a newer certificate (serial {otherSerial}, issued {otherNotBefore}, valid until {otherNotAfter}). Rotation stopped between the agent and Envoy: when the served one expires ({servedState}), handshakes fail.',
      contextsStale:
        '{contexts} TLS context(s) still serve certificate serial {otherSerial} (valid until {otherNotAfter}, {otherState}) although SDS delivered {served} (valid until {servedNotAfter}) to Envoy. Those listeners or clusters did not pick up the rotation.',
      agentNewer:
        'The pilot-agent holds a certificate valid until {otherNotAfter} ({otherState}), but Envoy serves {served}, valid until {servedNotAfter} ({servedState}). The agent rotated; the SDS push to Envoy did not happen, so peers see the old certificate.',
      mountedOlder:
        'The mounted file {other} holds an older certificate (serial {otherSerial}, valid until {otherNotAfter}, {otherState}) than the one Envoy serves ({served}, valid until {servedNotAfter}). Envoy is fine now, but whatever writes that file has stopped rotating it, and anything that reads it gets the old certificate.',
    },
    remediation: [
      "Look at what Envoy holds: istioctl proxy-config secret POD -n NS (the default secret's serial and NOT AFTER)",
      'Find why the push stopped: kubectl logs POD -c istio-proxy | grep -iE "sds|secret|cert" (SDS stream errors, file watch errors)',
      'Restart the pod so Envoy requests its certificate again: kubectl delete pod POD -n NS (its controller re-creates it)',
    ],
    verify: 'istioctl proxy-config secret POD -n NS  # the default certificate must be the newest one, and valid',
  },
  applies(ctx) {
    const p = ctx.facts.proxy;
    if (!p) return false;
    const served = p.sdsLeaf !== null || p.servedLeaves.length > 0;
    return served && (p.mounted.length > 0 || p.agent !== null || (p.sdsLeaf !== null && p.servedLeaves.length > 0));
  },
  check(ctx) {
    const p = ctx.facts.proxy!;
    const now = ctx.now;
    // What Envoy serves: the SDS `default` secret; without it, the oldest leaf `/certs` lists (the worst case).
    const fromCerts = p.servedLeaves
      .filter((s) => s.expirationTime !== null)
      .map((s): View & { contexts: number } => ({
        label: `${p.servedSource} (${s.contexts} TLS context${s.contexts === 1 ? '' : 's'})`,
        serial: s.serial,
        notBefore: s.validFrom ? Date.parse(s.validFrom) : NaN,
        notAfter: Date.parse(s.expirationTime!),
        contexts: s.contexts,
      }));
    const served: View | undefined = p.sdsLeaf
      ? { label: p.secrets.find((s) => s.name === 'default')!.source, serial: norm(p.sdsLeaf.serial), notBefore: p.sdsLeaf.notBefore, notAfter: p.sdsLeaf.notAfter }
      : [...fromCerts].sort((a, b) => a.notAfter - b.notAfter)[0];
    if (!served) return;
    const servedData = { served: `serial ${served.serial} (${served.label})`, servedNotAfter: iso(served.notAfter), servedState: state(served, now) };
    const servedExpired = now > served.notAfter;

    // TLS contexts that still serve something else than SDS delivered.
    if (p.sdsLeaf) {
      for (const c of fromCerts) {
        if (c.serial === served.serial) continue;
        const stillOld = c.notAfter < served.notAfter;
        ctx.report({
          messageId: 'contextsStale',
          about: `certs:${c.serial}`,
          severity: now > c.notAfter && !servedExpired ? 'critical' : stillOld ? 'error' : 'warning',
          data: { ...servedData, contexts: c.contexts, otherSerial: c.serial, otherNotAfter: iso(c.notAfter), otherState: state(c, now) },
          evidence: [ref(served, now), ref(c, now)],
        });
      }
    }

    // Mounted files: newer than what is served (not delivered), or older (the writer stopped).
    for (const m of p.mounted) {
      const other: View = { label: m.path, serial: norm(m.leaf.serial), notBefore: m.leaf.notBefore, notAfter: m.leaf.notAfter };
      if (other.serial === served.serial) continue;
      const otherData = { other: m.path, otherSerial: other.serial, otherNotBefore: iso(other.notBefore), otherNotAfter: iso(other.notAfter), otherState: state(other, now) };
      const newer = other.notBefore > served.notBefore || (other.notBefore === served.notBefore && other.notAfter > served.notAfter) || !Number.isFinite(served.notBefore);
      if (newer && other.notAfter > served.notAfter) {
        const otherValid = now >= other.notBefore && now <= other.notAfter;
        ctx.report({
          messageId: servedExpired && otherValid ? 'servedExpired' : 'servedOlder',
          about: `file:${m.path}`,
          severity: servedExpired && otherValid ? 'critical' : 'error',
          data: { ...servedData, ...otherData },
          evidence: [ref(served, now), ref(other, now)],
        });
      } else {
        ctx.report({ messageId: 'mountedOlder', about: `file:${m.path}`, severity: 'warning', confidence: 0.7, data: { ...servedData, ...otherData }, evidence: [ref(served, now), ref(other, now)] });
      }
    }

    // The pilot-agent's certificate, known by its expiry: later than the served one means Envoy never got it.
    if (p.agent && p.agent.notAfter - served.notAfter > SAME_EXPIRY_MS) {
      const agentValid = now <= p.agent.notAfter;
      ctx.report({
        messageId: 'agentNewer',
        about: 'agent',
        severity: servedExpired && agentValid ? 'critical' : 'error',
        data: { ...servedData, otherNotAfter: iso(p.agent.notAfter), otherState: state(p.agent, now) },
        evidence: [
          ref(served, now),
          { source: 'pilot-agent /stats/prometheus', detail: `istio_agent_cert_expiry_seconds{resource_name="default"} ${p.agent.seconds} at ${iso(p.agent.at)} → notAfter ${iso(p.agent.notAfter)}` },
        ],
      });
    }
  },
});
