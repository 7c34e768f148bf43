import rule from '../../../rules/expiry/served-cert-stale.js';
import { testRule } from '../../support/rule-tester.js';
import { HOUR, leaf, mesh, NOW, t } from '../../support/pki.js';
import { evidenceWithProxy } from '../../support/fake-envoy-admin.js';

testRule(rule, {
  valid: [
    {
      name: 'served, mounted and agent certificate are the same',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter, m.root], roots: [m.root], served: [m.leaf], mounted: [m.leaf, m.inter], agentExpiresAt: m.leaf.cert.notAfter.getTime() + 30_000 }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
    },
    {
      name: 'agent expiry within the gauge tolerance of the served leaf',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter], agentExpiresAt: m.leaf.cert.notAfter.getTime() - 90_000 }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
    },
  ],
  invalid: [
    {
      name: 'served-expired: Envoy serves an expired leaf while the agent holds a fresh one (consul#16779 shape)',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-26 * HOUR), notAfter: t(-2 * HOUR) } });
        return evidenceWithProxy({ chain: [m.leaf, m.inter], agentExpiresAt: NOW + 20 * HOUR }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'agentNewer', severity: 'critical', explanation: /expired 2h ago/ }],
    },
    {
      name: 'served-older: the mounted file holds a newer leaf than Envoy serves',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) } });
        const fresh = await leaf(m.inter, { notBefore: t(-1 * HOUR), notAfter: t(23 * HOUR) });
        return evidenceWithProxy({ chain: [m.leaf, m.inter], mounted: [fresh, m.inter] }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'servedOlder', severity: 'error', explanation: /cert-chain\.pem holds a newer certificate/ }],
    },
    {
      name: 'served-expired: mounted file valid, Envoy serves an expired leaf',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-30 * HOUR), notAfter: t(-6 * HOUR) } });
        const fresh = await leaf(m.inter);
        return evidenceWithProxy({ chain: [m.leaf, m.inter], mounted: [fresh] }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'servedExpired', severity: 'critical' }],
    },
    {
      name: 'contexts-stale: /certs lists an expired leaf in some contexts although SDS delivered a new one (istio#39985)',
      evidence: async () => {
        const m = await mesh();
        const old = await leaf(m.inter, { notBefore: t(-30 * HOUR), notAfter: t(-6 * HOUR) });
        return evidenceWithProxy({ chain: [m.leaf, m.inter], served: [m.leaf, old] }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'contextsStale', severity: 'critical', explanation: /2 TLS context\(s\) still serve/ }],
    },
    {
      name: 'mounted-older: the file writer stopped, Envoy is ahead',
      evidence: async () => {
        const m = await mesh();
        const old = await leaf(m.inter, { notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) });
        return evidenceWithProxy({ chain: [m.leaf, m.inter], mounted: [old] }, { chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'mountedOlder', severity: 'warning' }],
    },
    {
      name: 'served only through /certs (no config_dump): its leaf is older than the mounted one',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) } });
        const fresh = await leaf(m.inter);
        const ev = await evidenceWithProxy({ served: [m.leaf], mounted: [fresh] }, { chain: [fresh, m.inter], trust: [m.root] });
        return { ...ev, proxy: { ...ev.proxy!, secretsRead: false, secrets: [] } };
      },
      errors: [{ messageId: 'servedOlder', explanation: /envoy \/certs \(2 TLS contexts\)/ }],
    },
  ],
});
