import { describe, expect, it } from 'vitest';
import { buildChain, MAX_BUILD_STEPS, MAX_BUILD_STEPS_UNANCHORED, type BundleFact } from '../../src/x509/chain.js';
import { parseCertificate, type ParsedCert } from '../../src/x509/certificate.js';
import { DAY, intermediate, issueSameKey, leaf, NOW, root, t, type Issued } from './chain-support.js';

const parsed = (c: Issued, n: string): ParsedCert => parseCertificate(c.der, n);

function build(presented: ParsedCert[], anchors: ParsedCert[], at = NOW) {
  const bundle: BundleFact = { name: 'peerTrust', source: 'trust.pem', certs: anchors.map((a) => a.fact) };
  return buildChain({ subject: 'local', usage: 'server', expectedId: null, presented, pool: anchors, bundles: [bundle], verifierBundle: 'peerTrust', at });
}

describe('buildChain path preference', () => {
  it('prefers the issuer that is a CA over a same-key twin without basicConstraints, in either order', async () => {
    const r = await root();
    const good = await intermediate(r, 'Issuing CA');
    const bad = await issueSameKey(good, r, { noBasicConstraints: true });
    const l = await leaf(good);
    for (const order of [[bad, good], [good, bad]]) {
      const chain = build([parsed(l, 'leaf'), ...order.map((c, i) => parsed(c, `i${i}`))], [parsed(r, 'root')]);
      expect(chain.path.map((c) => c.fingerprint)).toEqual([l, good, r].map((c) => parsed(c, 'x').fact.fingerprint));
    }
  });

  it('prefers an issuer valid at the evaluation time over an expired twin', async () => {
    const r = await root();
    const current = await intermediate(r, 'Issuing CA');
    const expired = await issueSameKey(current, r, { notBefore: t(-400 * DAY), notAfter: t(-DAY) });
    const l = await leaf(current);
    const chain = build([parsed(l, 'leaf'), parsed(expired, 'old'), parsed(current, 'new')], [parsed(r, 'root')]);
    expect(chain.path[1]!.source).toBe('new');
  });

  it('does not loop through two CAs that cross-sign each other', async () => {
    const r = await root();
    const a = await intermediate(r, 'A');
    const b = await intermediate(a, 'B');
    const aByB = await issueSameKey(a, b, {});
    const l = await leaf(b);
    const chain = build([parsed(l, 'leaf'), parsed(b, 'b'), parsed(aByB, 'a-by-b'), parsed(a, 'a')], [parsed(r, 'root')]);
    expect(chain.path.map((c) => c.source)).toEqual(['leaf', 'b', 'a', 'root']);
    expect(chain.verifier?.anchored).toBe(true);
  });

  it('bounds the search on a pathological mesh of same-subject intermediates', async () => {
    const r = await root();
    const base = await intermediate(r, 'Hub');
    const twins: Issued[] = [];
    // Every twin has the same subject and key but is signed by the previous twin: an exponential search space.
    let prev = base;
    for (let i = 0; i < 12; i++) twins.push((prev = await issueSameKey(base, prev, { serial: (0x5000 + i).toString(16) })));
    const l = await leaf(base);
    const started = performance.now();
    const chain = build([parsed(l, 'leaf'), ...twins.map((c, i) => parsed(c, `t${i}`))], [parsed(r, 'root')]);
    expect(chain.steps).toBeLessThanOrEqual(MAX_BUILD_STEPS + 1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('spends a small budget on same-named CAs with distinct keys when no trust anchor is reachable by name', async () => {
    // limbo's pathological-chain-same-subject-distinct-key, smaller: every CA is a candidate issuer of every other.
    let prev = await root('Pathological CA');
    const cas: Issued[] = [prev];
    for (let i = 0; i < 30; i++) cas.push((prev = await intermediate(prev, 'Pathological CA')));
    const l = await leaf(prev);
    const chain = build([parsed(l, 'leaf'), ...cas.map((c, i) => parsed(c, `ca${i}`))], [parsed(await root('Unrelated Root'), 'root')]);
    expect(chain.steps).toBeLessThanOrEqual(MAX_BUILD_STEPS_UNANCHORED + 1);
    expect(chain.verifier?.anchored).toBe(false);
    // The leaf's own issuer still comes first: the path is the plausible one, not any one.
    expect(chain.path[1]!.source).toBe('ca30');
  });
});
