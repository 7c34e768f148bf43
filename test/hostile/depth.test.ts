/**
 * Long chains are judged as each verifier profile judges them (issue 22). OpenSSL and BoringSSL (Envoy) accept at
 * most 100 intermediate CAs (X509_VERIFY_PARAM's default depth), rustls-webpki (ztunnel) 6, Go spends at most 100
 * signature checks. A chain OpenSSL accepts is never called untrusted (issue 15); a chain longer than every
 * verifier follows is rejected as too long, by name, instead of "not evaluated". openssl verify is the referee.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { MAX_CHAIN_DEPTH } from '../../src/x509/chain.js';
import { intermediate, leaf, NOW, root, type Issued } from '../support/pki.js';
import { tempDir } from '../support/cli.js';

let top: Issued;
/** inters[i] is intermediate CA number i+1 below the root. */
const inters: Issued[] = [];
/** A leaf under `n` intermediate CAs, and the chain it presents (leaf first). */
const under = async (n: number) => [await leaf(inters[n - 1]!), ...inters.slice(0, n).reverse()];
let chains: Record<number, Issued[]> = {};
const COUNTS = [11, 40, 100, 101, MAX_CHAIN_DEPTH + 2] as const;

beforeAll(async () => {
  top = await root('Deep Root CA');
  let issuer = top;
  for (let i = 1; i <= MAX_CHAIN_DEPTH + 2; i++) {
    issuer = await intermediate(issuer, `Deep Intermediate ${i}`);
    inters.push(issuer);
  }
  chains = Object.fromEntries(await Promise.all(COUNTS.map(async (n) => [n, await under(n)] as const)));
}, 240_000);

/** openssl verify's own verdict on the chain (null: no openssl here). */
function openssl(chain: Issued[]): string | null {
  const tmp = tempDir();
  try {
    const ca = tmp.file('root.pem', top.pem);
    const untrusted = tmp.file('chain.pem', chain.slice(1).map((c) => c.pem).join(''));
    return execFileSync('openssl', ['verify', '-attime', String(Math.floor(NOW / 1000)), '-CAfile', ca, '-untrusted', untrusted, tmp.file('leaf.pem', chain[0]!.pem)], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `${(e as { stdout?: Buffer }).stdout ?? ''}${(e as { stderr?: Buffer }).stderr ?? ''}`;
  } finally {
    tmp.cleanup();
  }
}

const rules = (r: Awaited<ReturnType<typeof diagnose>>) => r.findings.map((f) => f.rule);

describe('long chains, per verifier profile', () => {
  for (const n of [11, 40, 100] as const) {
    it(`${n} intermediate CAs: openssl accepts, Envoy is not told otherwise; ztunnel (6 at most) rejects; Go from 100 on`, async () => {
      const out = openssl(chains[n]!);
      if (out !== null) expect(out).toMatch(/: OK/);
      const envoy = await diagnose({ chain: chains[n]!.map((c) => c.pem), trust: top.pem, at: NOW });
      expect(rules(envoy)).not.toContain('chain/unknown-authority');
      expect(envoy.verdict).not.toBe('failing');
      expect(envoy.notEvaluated.some((e) => e.rule === 'chain/unknown-authority')).toBe(false);
      // ztunnel rejects it: a warning under Envoy, naming ztunnel and its limit.
      const warn = envoy.findings.find((f) => f.rule === 'chain/max-depth-exceeded');
      expect(warn?.severity).toBe('warning');
      expect(warn?.explanation).toMatch(/ztunnel \(rustls-webpki\) rejects it \(at most 6 intermediate CAs/);
      const zt = await diagnose({ chain: chains[n]!.map((c) => c.pem), trust: top.pem, at: NOW, verifier: 'ztunnel' });
      expect(zt.verdict).toBe('failing');
      expect(zt.findings.find((f) => f.rule === 'chain/max-depth-exceeded')).toMatchObject({ severity: 'critical', explanation: expect.stringMatching(/MaximumPathDepthExceeded/) });
      // ztunnel's limit is a constant: the fix must not send the user to Envoy's max_verify_depth.
      for (const f of [warn, zt.findings.find((x) => x.rule === 'chain/max-depth-exceeded')]) {
        expect(f?.remediation[0]).toMatch(/ztunnel \(rustls-webpki\)( and Go \(crypto\/x509\))? ha(s|ve) none .*does not help/);
        expect(f?.remediation[0]).not.toMatch(/set it to at least/);
      }
      // Go 1.19 accepts 99 intermediate CAs and rejects 100: a root and 100 intermediates are 101 signature checks.
      const go = await diagnose({ chain: chains[n]!.map((c) => c.pem), trust: top.pem, at: NOW, verifier: 'go' });
      if (n < 100) expect(go.verdict).not.toBe('failing');
      else expect(go.findings.find((f) => f.rule === 'chain/max-depth-exceeded')).toMatchObject({ severity: 'critical', explanation: expect.stringMatching(/101 signature checks.*signature check attempts limit reached/) });
    }, 60_000);
  }

  it('101 intermediate CAs: openssl says "certificate chain too long", and so does the Envoy profile', async () => {
    const out = openssl(chains[101]!);
    if (out !== null) expect(out).toMatch(/certificate chain too long/);
    const r = await diagnose({ chain: chains[101]!.map((c) => c.pem), trust: top.pem, at: NOW });
    expect(r.verdict).toBe('failing');
    const f = r.findings.find((x) => x.rule === 'chain/max-depth-exceeded');
    expect(f).toMatchObject({ severity: 'critical', explanation: expect.stringMatching(/101 intermediate CAs.*Envoy \(BoringSSL\) accepts at most 100 intermediate CAs.*certificate chain too long/) });
    expect(f!.explanation).toMatch(/Go \(crypto\/x509\) rejects it too \(at most 100 signature checks\)/);
    expect(rules(r)).not.toContain('chain/unknown-authority');
  }, 60_000);

  it(`a chain longer than the builder follows (${MAX_CHAIN_DEPTH} certificates) is rejected as too long by every profile, not left unjudged`, async () => {
    for (const verifier of ['envoy', 'ztunnel', 'go', 'strict'] as const) {
      const r = await diagnose({ chain: chains[MAX_CHAIN_DEPTH + 2]!.map((c) => c.pem), trust: top.pem, at: NOW, verifier });
      expect(r.verdict, verifier).toBe('failing');
      expect(r.findings.find((x) => x.rule === 'chain/max-depth-exceeded'), verifier).toMatchObject({ severity: 'critical', explanation: expect.stringMatching(/more than/) });
      expect(rules(r), verifier).not.toContain('chain/unknown-authority');
    }
  }, 120_000);

  it('a long chain under a root the verifier does not trust is called untrusted (it was followed to its end)', async () => {
    const other = await root('Other Root CA');
    const r = await diagnose({ chain: chains[40]!.map((c) => c.pem), trust: other.pem, at: NOW });
    expect(rules(r)).toContain('chain/unknown-authority');
    expect(r.verdict).toBe('failing');
  }, 60_000);

  it('--max-depth still overrides the profile: 11 intermediates against --max-depth 10', async () => {
    const r = await diagnose({ chain: chains[11]!.map((c) => c.pem), trust: top.pem, at: NOW, maxChainDepth: 10 });
    expect(r.findings.find((x) => x.rule === 'chain/max-depth-exceeded')).toMatchObject({ severity: 'critical', explanation: expect.stringMatching(/--max-depth 10/) });
  }, 60_000);
});
