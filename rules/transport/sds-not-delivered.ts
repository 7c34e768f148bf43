/**
 * Envoy gets its workload certificate (`default`) and trust bundle (`ROOTCA`) from the pilot-agent over SDS.
 * A secret that was requested but never delivered sits in `dynamic_warming_secrets` with version_info
 * "uninitialized"; connections that need it are reset and `*_context_secrets_not_ready` counts them
 * (Envoy docs, configuration/security/secret: "downstream_context_secrets_not_ready … reset because the
 * secret is not ready"). Seen as `TLS error: Secret is not supplied by SDS` (istio/istio#26468, #22443).
 */
import { defineRule } from '../../src/engine/define-rule.js';

const ISTIO_SECRETS = new Set(['default', 'ROOTCA']);

export default defineRule({
  meta: {
    id: 'transport/sds-not-delivered',
    stage: 'transport',
    severity: 'critical',
    title: 'Envoy is missing a secret that SDS never delivered',
    description:
      'A secret Envoy requested over SDS (the workload certificate `default`, the trust bundle `ROOTCA`, or a gateway credential) is still warming, its last update was rejected, or connections are being reset because it is not ready.',
    requires: ['proxy'],
    confidence: 0.95,
    citation: 'Envoy SDS: dynamic_warming_secrets; listener/cluster *_context_secrets_not_ready counters',
    explains: [
      { symptom: 'verify:expired-leaf', weight: 0.3, why: 'Rotation failed because the agent could not get a new certificate from the CA (expired token, CA unreachable).' },
      { symptom: 'sds-not-delivered', weight: 0.95, why: 'The istio-agent did not push the `default`/`ROOTCA` secret to Envoy (CA unreachable or refusing the CSR, agent/istiod race: istio#26468).' },
      { symptom: 'ca-request-failed', weight: 0.8, why: 'Without a signed certificate the agent cannot deliver one to Envoy (istio#26225: expired token; istio-csr#149).' },
      { symptom: 'upstream-connect-failure', weight: 0.3, why: 'No certificate to present: the client secret is still warming.' },
    ],
    hint: {
      confirm: 'istioctl proxy-config secret shows the default or ROOTCA secret WARMING, or /certs is empty',
      next: 'istioctl proxy-config secret {pod} -n NS; kubectl logs {pod} -n NS -c istio-proxy | grep -iE \'failed to generate secret|sds|ca request\'',
      fix: 'Fix the agent → CA path (istiod reachable, service-account token valid, CA healthy), then restart the pod.',
      subject: 'local',
    },
    messages: {
      defaultWarming:
        'Envoy asked for its workload certificate (secret "default") but SDS never delivered it (warming, version_info {version}). Every mTLS connection to and from this pod fails ("TLS error: Secret is not supplied by SDS", 503 UF,URX) until the pilot-agent gets a certificate from the CA and pushes it.',
      rootWarming:
        'Envoy asked for its trust bundle (secret "ROOTCA") but SDS never delivered it (warming, version_info {version}). Without it Envoy cannot verify any peer: every mTLS handshake fails.',
      otherWarming:
        'Envoy asked for secret "{name}" but SDS never delivered it (warming, version_info {version}). Listeners or clusters that use it cannot complete TLS.',
      notReady:
        '{counter} moved by {delta} in {window}s ({direction}, {scope}): Envoy reset those connections because the secret they need had not been delivered by SDS.',
      notReadyCumulative:
        '{counter} is {value} since Envoy started ({direction}, {scope}): connections were reset because a secret was not delivered yet. It may have been a start-up race; sample with --window SECONDS to see whether it is still moving.',
      rejected:
        'The last SDS update of secret "{name}" was rejected by Envoy ({detail}). Envoy keeps the previous version, which will not be rotated.',
    },
    remediation: [
      'Look at the agent: kubectl logs POD -c istio-proxy | grep -iE "sds|secret|cert|csr" (CA unreachable, "failed to generate secret", token or authentication errors)',
      'Check the CA side: istiod (or istio-csr / the external CA) logs for CSR and authentication errors',
      'If the agent is wedged, restart the pod: kubectl delete pod POD -n NS',
    ],
    verify: 'istioctl proxy-config secret POD -n NS  # default and ROOTCA must be ACTIVE, not WARMING',
  },
  applies(ctx) {
    const p = ctx.facts.proxy;
    return !!p && (p.admin || p.counters.length > 0);
  },
  check(ctx) {
    const p = ctx.facts.proxy!;
    const active = new Set(p.secrets.filter((s) => s.state !== 'warming').map((s) => s.name));
    for (const s of p.secrets) {
      const ev = [{ source: s.source, detail: `dynamic_warming_secrets${s.lastUpdated ? `, last_updated ${s.lastUpdated}` : ''}${s.clientStatus ? `, client_status ${s.clientStatus}` : ''}` }];
      if (s.state === 'warming' && !active.has(s.name)) {
        const messageId = s.name === 'default' ? 'defaultWarming' : s.name === 'ROOTCA' ? 'rootWarming' : 'otherWarming';
        ctx.report({ messageId, about: `warming:${s.name}`, severity: ISTIO_SECRETS.has(s.name) ? 'critical' : 'error', data: { name: s.name, version: 'uninitialized' }, evidence: ev });
      }
      if (s.error) {
        ctx.report({ messageId: 'rejected', about: `rejected:${s.name}`, severity: 'warning', confidence: 0.8, data: { name: s.name, detail: s.error }, evidence: [{ source: s.source, detail: `error_state: ${s.error}` }] });
      }
    }
    for (const c of p.counters) {
      if (!c.counter.endsWith('_context_secrets_not_ready')) continue;
      const data = { counter: c.name, direction: c.direction, scope: c.direction === 'inbound' ? `listener ${c.scope}` : `cluster ${c.scope}`, value: c.value, delta: c.delta ?? 0, window: p.windowSeconds ?? 0 };
      const evidence = [{ source: 'envoy admin stats', detail: `${c.name} = ${c.value}${c.delta !== null ? ` (+${c.delta} in ${p.windowSeconds}s)` : ''}` }];
      if (c.delta !== null && c.delta > 0) ctx.report({ messageId: 'notReady', about: `counter:${c.name}`, severity: 'critical', data, evidence });
      else if (c.delta === null && c.value > 0) ctx.report({ messageId: 'notReadyCumulative', about: `counter:${c.name}`, severity: 'warning', confidence: 0.6, data, evidence });
    }
  },
});
