/**
 * A simulated mesh for fleet tests: two roots (old and new), an intermediate under each, and pods that
 * serve leaves under one and trust one or both. Certificates are generated once per test file, at run time,
 * with pinned dates.
 */
import { intermediate, leaf, root, spiffe, t, DAY, YEAR, type Issued } from '../support/pki.js';
import type { PodHolding } from '../../src/fleet/types.js';

export interface FleetPki {
  oldRoot: Issued;
  newRoot: Issued;
  oldInter: Issued;
  newInter: Issued;
  /** Leaves by issuer, one per pod index (generated lazily and cached). */
  leafUnder(which: 'old' | 'new', i: number): Promise<Issued>;
}

export async function fleetPki(o: { oldInter?: Parameters<typeof intermediate>[2] } = {}): Promise<FleetPki> {
  const oldRoot = await root('Mesh Root CA 2025', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
  const newRoot = await root('Mesh Root CA 2026', { notBefore: t(-10 * DAY), notAfter: t(10 * YEAR) });
  const oldInter = await intermediate(oldRoot, 'Mesh Intermediate 2025', o.oldInter);
  const newInter = await intermediate(newRoot, 'Mesh Intermediate 2026', { notBefore: t(-9 * DAY) });
  const cache = new Map<string, Issued>();
  return {
    oldRoot,
    newRoot,
    oldInter,
    newInter,
    async leafUnder(which, i) {
      const k = `${which}${i}`;
      let l = cache.get(k);
      if (!l) cache.set(k, (l = await leaf(which === 'old' ? oldInter : newInter, { uris: [spiffe(`ns${i % 3}`, `sa${i}`)] })));
      return l;
    },
  };
}

/** A pod that serves a leaf under `serves` and trusts `trusts`. */
export async function pod(pki: FleetPki, i: number, serves: 'old' | 'new', trusts: Array<'old' | 'new'>, ns = `ns${i % 3}`): Promise<PodHolding> {
  const l = await pki.leafUnder(serves, i);
  const inter = serves === 'old' ? pki.oldInter : pki.newInter;
  return {
    namespace: ns,
    name: `web-${i}`,
    workload: `web-${i}`,
    status: 'ok',
    served: [l.pem + inter.pem],
    trusted: trusts.map((w) => (w === 'old' ? pki.oldRoot.pem : pki.newRoot.pem)),
  };
}

/** n pods: `spec(i)` says what pod i serves and trusts. */
export async function pods(pki: FleetPki, n: number, spec: (i: number) => { serves: 'old' | 'new'; trusts: Array<'old' | 'new'> }): Promise<PodHolding[]> {
  const out: PodHolding[] = [];
  for (let i = 0; i < n; i++) {
    const s = spec(i);
    out.push(await pod(pki, i, s.serves, s.trusts));
  }
  return out;
}
