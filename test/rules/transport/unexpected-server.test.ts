import { describe, expect, it } from 'vitest';
import rule from '../../../rules/transport/unexpected-server.js';
import { testRule } from '../../support/rule-tester.js';
import { leaf, mesh } from '../../support/pki.js';
import { namesRelated } from '../../../src/model/names.js';
import { hs, withProbe } from './fixtures.js';

/** A probe of reviews.bookinfo:9080 whose server presented a leaf with these DNS names. */
async function served(dns: string[], sni: string | null = 'cert-manager-webhook.cert-manager.svc') {
  const m = await mesh();
  const l = await leaf(m.inter, { uris: [], dns });
  return withProbe([hs('workload', { kind: 'success' }, { peer: 'cert-manager-webhook.cert-manager.svc:443', sni, peerChain: [l.pem, m.inter.pem] })]);
}

testRule(rule, {
  valid: [
    { name: 'the certificate names the dialled service', evidence: () => served(['cert-manager-webhook.cert-manager.svc', 'cert-manager-webhook.cert-manager.svc.cluster.local']) },
    { name: 'a neighbouring name of the same namespace (a SAN list that misses one name: a certificate fault, not another server)', evidence: () => served(['cert-manager.cert-manager.svc']) },
    { name: 'a mesh leaf with only a SPIFFE ID says nothing about host names', evidence: () => served([]) },
  ],
  invalid: [
    {
      name: "the node's kubelet answered on the webhook's port (EKS Fargate)",
      evidence: () => served(['ip-192-168-10-20.eu-west-1.compute.internal']),
      errors: [{ messageId: 'foreign', severity: 'error', subject: 'peer', explanation: /ip-192-168-10-20\.eu-west-1\.compute\.internal, none of them related to cert-manager-webhook\.cert-manager\.svc/ }],
    },
  ],
});

describe('namesRelated', () => {
  it('relates equal names, wildcards, one Kubernetes namespace and one registrable domain; not a node name and a service', () => {
    expect(namesRelated('*.example.com', 'api.example.com')).toBe(true);
    expect(namesRelated('www.example.com', 'api.example.com')).toBe(true);
    expect(namesRelated('reviews.bookinfo.svc', 'ratings.bookinfo.svc.cluster.local')).toBe(true);
    expect(namesRelated('kubernetes.default.svc', 'ingress-nginx-controller-admission.ingress-nginx.svc')).toBe(false);
    expect(namesRelated('ip-192-168-1-2.ec2.compute.internal', 'webhook.cert-manager.svc')).toBe(false);
    expect(namesRelated('a.example.co.uk', 'b.other.co.uk')).toBe(false);
  });
});
