import { describe, expect, it } from 'vitest';
import { checkNameConstraints, nameMatches, uriHost } from '../../src/x509/name-constraints.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { intermediate, leaf, root, spiffe, type Issued } from '../support/pki.js';
import { nameConstraints, type Subtree } from './ext.js';

const fact = (c: Issued, n = 'x') => parseCertificate(c.der, n).fact;

/** root → constrained intermediate → leaf with the given names; returns the violations. */
async function violations(nc: { permitted?: Subtree[]; excluded?: Subtree[] }, names: { uris?: string[]; dns?: string[]; ips?: string[] }) {
  const r = await root();
  const i = await intermediate(r, 'Constrained CA', { extensions: [nameConstraints(nc)] });
  const l = await leaf(i, { uris: [], ...names });
  return checkNameConstraints([fact(l), fact(i), fact(r)]);
}

describe('name constraints', () => {
  const table: Array<[string, { permitted?: Subtree[]; excluded?: Subtree[] }, { uris?: string[]; dns?: string[]; ips?: string[] }, string[]]> = [
    ['SPIFFE trust domain permitted by URI host', { permitted: [{ uri: 'cluster.local' }] }, { uris: [spiffe('demo', 'web')] }, []],
    ['SPIFFE ID in another trust domain', { permitted: [{ uri: 'cluster.local' }] }, { uris: [spiffe('demo', 'web', 'other.local')] }, ['not-permitted']],
    ['URI host constraint is exact, not a suffix', { permitted: [{ uri: 'local' }] }, { uris: [spiffe('demo', 'web')] }, ['not-permitted']],
    ['URI constraint with a leading period permits subdomains only', { permitted: [{ uri: '.local' }] }, { uris: [spiffe('demo', 'web')] }, []],
    ['DNS subtree permits its subdomains', { permitted: [{ dns: 'svc.cluster.local' }] }, { dns: ['web.demo.svc.cluster.local'] }, []],
    ['DNS outside the permitted subtree', { permitted: [{ dns: 'svc.cluster.local' }] }, { dns: ['example.com'] }, ['not-permitted']],
    ['DNS label boundary: xsvc.cluster.local is not under svc.cluster.local', { permitted: [{ dns: 'svc.cluster.local' }] }, { dns: ['xsvc.cluster.local'] }, ['not-permitted']],
    ['excluded DNS subtree, case-insensitive', { excluded: [{ dns: 'Example.COM' }] }, { dns: ['a.example.com'] }, ['excluded']],
    ['wildcard SAN that may stand for an excluded name', { excluded: [{ dns: 'bar.example.com' }] }, { dns: ['*.example.com'] }, ['excluded']],
    ['wildcard SAN wider than a permitted host', { permitted: [{ dns: 'foo.example.com' }] }, { dns: ['*.example.com'] }, ['not-permitted']],
    ['IP inside the permitted range', { permitted: [{ ip: '10.0.0.0/8' }] }, { ips: ['10.1.2.3'] }, []],
    ['IP outside the permitted range', { permitted: [{ ip: '10.0.0.0/8' }] }, { ips: ['192.168.0.1'] }, ['not-permitted']],
    ['IPv6 in an excluded range', { excluded: [{ ip: '2001:db8::/32' }] }, { ips: ['2001:db8::1'] }, ['excluded']],
    ['permitted DNS does not constrain URIs', { permitted: [{ dns: 'example.com' }] }, { uris: [spiffe('demo', 'web')] }, []],
  ];
  for (const [name, nc, names, expected] of table) {
    it(name, async () => {
      expect((await violations(nc, names)).map((v) => v.kind)).toEqual(expected);
    });
  }

  it('exempts a self-issued intermediate but not the leaf', async () => {
    const r = await root('Root', { extensions: [nameConstraints({ permitted: [{ dns: 'example.com' }] })] });
    // A self-issued intermediate (same subject as the root, another key) with an outside name.
    const selfIssued = await intermediate(r, 'Root', { subject: r.subject, dns: ['outside.test'] });
    const l = await leaf(selfIssued, { uris: [], dns: ['ok.example.com'] });
    expect(checkNameConstraints([fact(l), fact(selfIssued), fact(r)])).toEqual([]);
    const bad = await leaf(selfIssued, { uris: [], dns: ['outside.test'] });
    expect(checkNameConstraints([fact(bad), fact(selfIssued), fact(r)]).map((v) => v.kind)).toEqual(['not-permitted']);
  });

  it('applies the trust anchor\'s own constraints', async () => {
    const r = await root('Root', { extensions: [nameConstraints({ excluded: [{ dns: 'evil.test' }] })] });
    const l = await leaf(r, { uris: [], dns: ['evil.test'] });
    expect(checkNameConstraints([fact(l), fact(r)]).map((v) => v.kind)).toEqual(['excluded']);
  });

  it('matches email constraints by mailbox, host and domain', () => {
    const e = (value: string) => ({ type: 'email' as const, value });
    expect(nameMatches(e('a@example.com'), e('example.com'), 'permitted')).toBe(true);
    expect(nameMatches(e('a@sub.example.com'), e('example.com'), 'permitted')).toBe(false);
    expect(nameMatches(e('a@sub.example.com'), e('.example.com'), 'permitted')).toBe(true);
    expect(nameMatches(e('a@example.com'), e('b@example.com'), 'permitted')).toBe(false);
  });

  it('reads the host of URIs', () => {
    expect(uriHost('spiffe://cluster.local/ns/a/sa/b')).toBe('cluster.local');
    expect(uriHost('https://user@Host.Example:8443/x')).toBe('host.example');
    expect(uriHost('urn:uuid:1234')).toBeNull();
  });

  it('bounds the work on pathological inputs', async () => {
    const many = Array.from({ length: 600 }, (_, k) => ({ dns: `n${k}.example.com` }));
    const r = await root('Root', { extensions: [nameConstraints({ permitted: many, excluded: many })] });
    const l = await leaf(r, { uris: [], dns: Array.from({ length: 300 }, (_, k) => `x${k}.other.test`) });
    const started = performance.now();
    const v = checkNameConstraints([fact(l), fact(r)]);
    expect(v.at(-1)?.kind).toBe('too-costly');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
