/**
 * The verifier profile when the request names none: what the evidence says about the data plane. A pod in
 * ambient mode (`target.dataplaneMode`, set by cluster mode from the istio.io/dataplane-mode label) is verified by
 * ztunnel; a request's `verifier` wins over it; with nothing said, Envoy.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { evidenceFor, mesh } from '../support/pki.js';
import { emptyClusterEvidence } from '../../src/evidence/cluster.js';

describe('verifier from the evidence', () => {
  it('an ambient-mode pod is judged as ztunnel unless the request says otherwise', async () => {
    const m = await mesh({ leaf: { ca: true, keyUsage: ['keyCertSign', 'digitalSignature'], eku: ['serverAuth', 'clientAuth'] } });
    const base = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
    const ambient = { ...base, target: { kind: 'pod' as const, name: 'web-0', dataplaneMode: 'ambient' } };
    expect((await diagnose({ evidence: ambient })).verdict).toBe('failing');
    expect((await diagnose({ evidence: ambient, verifier: 'envoy' })).verdict).not.toBe('failing');
    expect((await diagnose({ evidence: base })).verdict).not.toBe('failing');
    expect((await diagnose({ evidence: base, verifier: 'ztunnel' })).verdict).toBe('failing');
  });

  it('cluster mode: a pod labelled istio.io/dataplane-mode=ambient is judged as ztunnel', async () => {
    const m = await mesh({ leaf: { ca: true, keyUsage: ['keyCertSign', 'digitalSignature'], eku: ['serverAuth', 'clientAuth'] } });
    const base = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
    const pod = { name: 'web-0', namespace: 'demo', serviceAccount: 'web', labels: { 'istio.io/dataplane-mode': 'ambient' }, sidecar: false, containers: [], phase: 'Running', ready: true, ip: null };
    const ambient = { ...base, cluster: { ...emptyClusterEvidence(), pod } };
    expect((await diagnose({ evidence: ambient })).verdict).toBe('failing');
    const sidecar = { ...base, cluster: { ...emptyClusterEvidence(), pod: { ...pod, labels: {}, sidecar: true } } };
    expect((await diagnose({ evidence: sidecar })).verdict).not.toBe('failing');
  });

  it('an unknown profile is refused by name', async () => {
    const m = await mesh();
    const base = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
    await expect(diagnose({ evidence: base, verifier: 'openssl' })).rejects.toThrow('Cannot use --verifier "openssl": expected one of envoy, ztunnel, go, strict');
  });
});
