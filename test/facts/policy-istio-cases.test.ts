/**
 * The cases of istio/istio's own TestComposePeerAuthentication (pilot/pkg/security/authn/policy_applier_test.go),
 * re-expressed as the objects kubectl shows and run through our record conversion and composition: the effective
 * mode must be what istiod's tests expect. Root namespace "root-namespace", workload namespace "my-ns".
 */
import { describe, expect, it } from 'vitest';
import { peerAuthenticationRecord } from '../../src/collect/kube/records.js';
import { effectivePeerAuthentication } from '../../src/facts/policy.js';

const NOW = '2026-11-29T03:00:00Z';
const SECOND_AGO = '2026-11-29T02:59:59Z';
type Spec = { selector?: Record<string, string>; mode?: string | null; ports?: Record<string, { mode?: string }> };
const pa = (namespace: string, name: string, s: Spec, creationTimestamp = NOW) =>
  peerAuthenticationRecord({
    metadata: { name, namespace, creationTimestamp },
    spec: {
      ...(s.selector ? { selector: { matchLabels: s.selector } } : {}),
      ...(s.mode !== undefined ? { mtls: s.mode === null ? {} : { mode: s.mode } } : {}),
      ...(s.ports ? { portLevelMtls: s.ports } : {}),
    },
  });

const foo = { namespace: 'my-ns', labels: { app: 'foo', stage: 'prod' } };
const cases: Array<{ name: string; configs: ReturnType<typeof pa>[]; mode: string; perPort?: Record<number, string> }> = [
  { name: 'no config', configs: [], mode: 'PERMISSIVE' },
  { name: 'mesh only', configs: [pa('root-namespace', 'default', { mode: 'STRICT' })], mode: 'STRICT' },
  { name: 'mesh vs namespace (an empty selector in the root namespace is mesh level)', configs: [pa('root-namespace', 'default', { selector: {}, mode: 'STRICT' }), pa('my-ns', 'default', { mode: 'PERMISSIVE' })], mode: 'PERMISSIVE' },
  { name: 'ignore non-empty selector in root namespace', configs: [pa('root-namespace', 'default', { selector: { app: 'foo' }, mode: 'STRICT' })], mode: 'PERMISSIVE' },
  { name: 'workload vs namespace config', configs: [pa('my-ns', 'default', {}), pa('my-ns', 'foo', { selector: { app: 'foo' } })], mode: 'PERMISSIVE' },
  { name: 'workload vs mesh config', configs: [pa('my-ns', 'default', { mode: 'PERMISSIVE' }), pa('root-namespace', 'default', { mode: 'DISABLE' })], mode: 'PERMISSIVE' },
  {
    name: 'multiple mesh policy (oldest wins; equal times: the first by name)',
    configs: [pa('root-namespace', 'now', { mode: 'DISABLE' }), pa('root-namespace', 'second ago', { mode: 'PERMISSIVE' }, SECOND_AGO), pa('root-namespace', 'second later', { mode: 'STRICT' }, SECOND_AGO)],
    mode: 'PERMISSIVE',
  },
  {
    name: 'multiple namespace policy',
    configs: [pa('my-ns', 'now', { mode: 'DISABLE' }), pa('my-ns', 'second ago', { mode: 'PERMISSIVE' }, SECOND_AGO), pa('my-ns', 'second later', { mode: 'STRICT' }, SECOND_AGO)],
    mode: 'PERMISSIVE',
  },
  {
    name: 'multiple workload policy',
    configs: [pa('my-ns', 'now', { selector: { app: 'foo' }, mode: 'DISABLE' }), pa('my-ns', 'second ago', { selector: { app: 'foo' }, mode: 'PERMISSIVE' }, SECOND_AGO), pa('my-ns', 'second later', { selector: { stage: 'prod' }, mode: 'STRICT' }, SECOND_AGO)],
    mode: 'PERMISSIVE',
  },
  { name: 'inheritance: default mesh', configs: [pa('root-namespace', 'default', { mode: 'UNSET' })], mode: 'PERMISSIVE' },
  { name: 'inheritance: mesh to workload', configs: [pa('root-namespace', 'default', { mode: 'STRICT' }), pa('my-ns', 'foo', { selector: { app: 'foo' } })], mode: 'STRICT' },
  { name: 'inheritance: namespace to workload', configs: [pa('my-ns', 'default', { mode: 'STRICT' }), pa('my-ns', 'foo', { selector: { app: 'foo' } })], mode: 'STRICT' },
  {
    name: 'inheritance: mesh to namespace to workload',
    configs: [pa('root-namespace', 'default', { mode: 'STRICT' }), pa('my-ns', 'default', { mode: 'UNSET' }), pa('my-ns', 'foo', { selector: { app: 'foo' } })],
    mode: 'STRICT',
  },
  {
    name: 'port level (UNSET and an empty entry inherit the workload mode)',
    configs: [pa('root-namespace', 'default', { mode: 'STRICT' }), pa('my-ns', 'foo', { selector: { app: 'foo' }, ports: { '80': { mode: 'DISABLE' }, '90': { mode: 'UNSET' }, '100': {} } })],
    mode: 'STRICT',
    perPort: { 80: 'DISABLE', 90: 'STRICT', 100: 'STRICT' },
  },
];

describe("istiod's ComposePeerAuthentication cases", () => {
  for (const c of cases) {
    it(c.name, () => {
      const e = effectivePeerAuthentication('root-namespace', c.configs, foo);
      expect(e.mode).toBe(c.mode);
      expect(e.perPort).toEqual(c.perPort ?? {});
    });
  }
});
