/**
 * A chain longer than the chain builder follows (MAX_CHAIN_DEPTH certificates) was reported as
 * chain/unknown-authority although `openssl verify` accepts it (issue 15). Past the limit, the report says so
 * (not evaluated) and invents no cause.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { MAX_CHAIN_DEPTH } from '../../src/x509/chain.js';
import { intermediate, leaf, NOW, root, type Issued } from '../support/pki.js';
import { tempDir } from '../support/cli.js';

let chain: Issued[] = [];
let top: Issued;
beforeAll(async () => {
  top = await root('Deep Root CA');
  let issuer = top;
  const inters: Issued[] = [];
  for (let i = 1; i <= MAX_CHAIN_DEPTH + 2; i++) {
    issuer = await intermediate(issuer, `Deep Intermediate ${i}`);
    inters.push(issuer);
  }
  chain = [await leaf(issuer), ...inters.reverse()];
}, 60_000);

describe(`a chain of more than ${MAX_CHAIN_DEPTH} certificates`, () => {
  it('openssl verify accepts it (so "unknown authority" would be an invented cause)', () => {
    const tmp = tempDir();
    try {
      const ca = tmp.file('root.pem', top.pem);
      const untrusted = tmp.file('chain.pem', chain.map((c) => c.pem).join(''));
      const out = execFileSync('openssl', ['verify', '-attime', String(Math.floor(NOW / 1000)), '-CAfile', ca, '-untrusted', untrusted, tmp.file('leaf.pem', chain[0]!.pem)]).toString();
      expect(out).toMatch(/: OK/);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no openssl on this machine: the report test below still holds
      throw e;
    } finally {
      tmp.cleanup();
    }
  });

  it('is not reported as chain/unknown-authority; the report says it was not evaluated', async () => {
    const r = await diagnose({ chain: chain.map((c) => c.pem), trust: top.pem, at: NOW });
    expect(r.findings.map((f) => f.rule)).not.toContain('chain/unknown-authority');
    const ne = r.notEvaluated.find((n) => n.rule === 'chain/unknown-authority');
    expect(ne).toMatchObject({ reason: 'insufficient-evidence', detail: expect.stringMatching(/not evaluated/) });
  });

  it('a shorter chain of the same PKI is still evaluated in full', async () => {
    // The top three intermediates: the lowest of them is the "leaf", anchored at the root two steps up.
    const r = await diagnose({ chain: chain.slice(-3).map((c) => c.pem), trust: top.pem, at: NOW });
    expect(r.notEvaluated.find((n) => n.rule === 'chain/unknown-authority')).toBeUndefined();
    expect(r.findings.map((f) => f.rule)).not.toContain('chain/unknown-authority');
  });

  it('a deep chain whose root is not trusted is not called untrusted either (it was not evaluated)', async () => {
    const other = await root('Other Root CA');
    const r = await diagnose({ chain: chain.map((c) => c.pem), trust: other.pem, at: NOW });
    expect(r.findings.map((f) => f.rule)).not.toContain('chain/unknown-authority');
    expect(r.notEvaluated.some((n) => n.rule === 'chain/unknown-authority')).toBe(true);
  });
});
