/**
 * The verifier profile when the request names none: what the evidence says about the data plane. A pod in
 * ambient mode (`target.dataplaneMode`, set by cluster mode from the istio.io/dataplane-mode label) is verified by
 * ztunnel; a request's `verifier` wins over it; with nothing said, Envoy.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { evidenceFor, mesh } from '../support/pki.js';

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

  it('an unknown profile is refused by name', async () => {
    const m = await mesh();
    const base = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
    await expect(diagnose({ evidence: base, verifier: 'openssl' })).rejects.toThrow('Cannot use --verifier "openssl": expected one of envoy, ztunnel, go, strict');
  });
});
