/**
 * The stack matrix: every scenario × TLS 1.3 and 1.2 × Go crypto/tls, rustls, GnuTLS, OpenSSL and nginx, real
 * peers against the real CLI. Each cell names the cause that must rank first; a cell left out says why.
 * The PKI is made with the openssl CLI (openssl-pki.ts); the Go and rustls peers are built from
 * test/lab/peers (build.mjs), cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, IN_CI, stackPeer, type Stack } from '../../support/tls-peers.js';
import type { Report } from '../../../src/report/types.js';
import { diagnoseJson, rank1 } from '../support.js';
import { matrixPki, spiffe, type MatrixPki } from './openssl-pki.js';
// @ts-expect-error: a plain .mjs build script, shared with .ci/run
import { peerBinary } from '../peers/build.mjs';

export type Version = '1.2' | '1.3';

export interface Scenario {
  id: string;
  title: string;
  /** The peer's served chain. */
  peer: 'good' | 'expired' | 'otherId' | 'otherRoot';
  /** The CA the peer accepts client certificates under. */
  clientCas: 'A' | 'B';
  /** Our chain (null: `--peer` alone, no certificate of ours). */
  ours: 'good' | 'noClientAuth' | 'deadIntermediate' | 'expired' | 'leafOnly' | null;
  /** ALPN the peer accepts (default: the peer does not negotiate ALPN). */
  peerAlpn?: string[];
  /** `rule (subject)` that must rank first, or 'healthy'. */
  expect: string;
  /** More to check in the report. */
  check?: (report: Report, stack: Stack, version: Version) => void;
}

const finding = (r: Report, rule: string) => r.findings.find((f) => f.rule === rule);

export const SCENARIOS: Scenario[] = [
  { id: 'healthy', title: 'healthy mTLS', peer: 'good', clientCas: 'A', ours: 'good', expect: 'healthy' },
  {
    id: 'distrusted-ca',
    title: 'the peer does not trust our CA',
    peer: 'good',
    clientCas: 'B',
    ours: 'good',
    expect: 'chain/unknown-authority (local)',
    check: (r) => {
      const f = finding(r, 'chain/unknown-authority')!;
      expect(f.explanation).toMatch(/accepts client certificates issued under "?Root B/);
      expect(f.explanation).toMatch(/Root A/);
    },
  },
  { id: 'missing-client-auth', title: 'our leaf lacks clientAuth', peer: 'good', clientCas: 'A', ours: 'noClientAuth', expect: 'key-usage/missing-client-auth (local)' },
  { id: 'our-intermediate-expired', title: 'our intermediate expired', peer: 'good', clientCas: 'A', ours: 'deadIntermediate', expect: 'expiry/intermediate-expired (local)' },
  { id: 'our-leaf-expired', title: 'our leaf expired', peer: 'good', clientCas: 'A', ours: 'expired', expect: 'expiry/leaf-expired (local)' },
  { id: 'our-chain-incomplete', title: 'we present our leaf without its intermediate', peer: 'good', clientCas: 'A', ours: 'leafOnly', expect: 'chain/incomplete-chain (local)' },
  { id: 'peer-untrusted', title: "the peer's chain leads to a root we do not trust", peer: 'otherRoot', clientCas: 'A', ours: 'good', expect: 'chain/unknown-authority (peer)' },
  { id: 'peer-leaf-expired', title: "the peer's leaf expired", peer: 'expired', clientCas: 'A', ours: 'good', expect: 'expiry/leaf-expired (peer)' },
  { id: 'wrong-peer-identity', title: 'the peer is not who we expect', peer: 'otherId', clientCas: 'A', ours: 'good', expect: 'san/identity-mismatch (peer)' },
  { id: 'alpn-mismatch', title: 'the peer serves only h2', peer: 'good', clientCas: 'A', ours: 'good', peerAlpn: ['h2'], expect: 'transport/alpn-mismatch (peer)' },
  {
    id: 'no-client-cert',
    title: 'no client certificate',
    peer: 'good',
    clientCas: 'A',
    ours: null,
    expect: 'transport/client-cert-required (peer)',
    // We offered none: the peer demanding one is what STRICT means, information rather than a failure.
    check: (r) => expect(r.verdict).not.toBe('failing'),
  },
];

/** Cells left out, with the reason (stack → scenario id → why). */
export const LEFT_OUT: Partial<Record<Stack, Record<string, string>>> = {};

/** How the report names each stack (nginx is OpenSSL underneath until it answers in HTTP). */
const STACK_SAID: Record<Stack, RegExp> = {
  go: /^Go crypto\/tls.*, told from /,
  rustls: /^rustls.*, told from /,
  gnutls: /^GnuTLS.*, told from /,
  openssl: /^OpenSSL, told from /,
  nginx: /^(nginx \(OpenSSL\)|OpenSSL), told from /,
};

export interface Toolchain {
  ok: boolean;
  reason: string;
  binary?: string;
}

/** Whether a stack's peer can run here: its binary, or its build. */
export function toolchain(stack: Stack): Toolchain {
  if (stack === 'go' || stack === 'rustls') {
    const r = peerBinary(stack) as { path?: string; missing?: string };
    return r.path ? { ok: true, reason: '', binary: r.path } : { ok: false, reason: r.missing! };
  }
  const bin = stack === 'gnutls' ? 'gnutls-serv' : stack;
  const pkg = stack === 'gnutls' ? 'gnutls-bin' : stack;
  if (!hasBinary('openssl')) return { ok: false, reason: 'openssl is not installed: the matrix PKI is made with it (apt-get install -y openssl)' };
  return hasBinary(bin) || (stack === 'nginx' && hasBinary('/usr/sbin/nginx')) ? { ok: true, reason: '' } : { ok: false, reason: `${bin} is not installed (apt-get install -y ${pkg})` };
}

/** Runs one cell: starts the peer, runs `diagnose`, stops the peer. */
export async function runCell(m: MatrixPki, stack: Stack, version: Version, s: Scenario, binary?: string): Promise<Report> {
  const served = m.peer[s.peer];
  // nginx always negotiates http/1.1: offer it, except where the ALPN mismatch is the point.
  const peerAlpn = stack === 'nginx' ? undefined : s.peerAlpn;
  const peer = await stackPeer(stack, { chain: served.chain, key: served.key, clientCas: s.clientCas === 'A' ? m.trustA : m.trustB, version, alpn: peerAlpn, binary });
  try {
    const args = ['--peer', peer.address];
    if (s.ours) {
      const o = m.ours[s.ours];
      args.push('--chain', o.chain, '--key', o.key, '--trust', m.trustA, '--peer-id', spiffe('server'));
    }
    if (stack === 'nginx' && s.id !== 'alpn-mismatch') args.push('--alpn', 'http/1.1');
    const { report } = await diagnoseJson(args);
    return report;
  } finally {
    await peer.stop();
  }
}

/** What a cell shows: 'healthy' for a healthy verdict with no finding at all, else the first finding. */
export function verdictOf(report: Report): string {
  return report.verdict === 'healthy' && report.findings.length === 0 ? 'healthy' : rank1(report);
}

/** The matrix for one stack, as vitest tests. */
export function stackMatrix(stack: Stack, versions: Version[] = ['1.3', '1.2']): void {
  const tc = toolchain(stack);
  if (!tc.ok && !IN_CI) console.warn(`lab: the ${stack} matrix is skipped: ${tc.reason}`);
  describe(`lab matrix: ${stack} toolchain`, () => {
    it.runIf(!tc.ok && IN_CI)(`${stack} must be available under CI`, () => {
      expect(tc.ok, tc.reason).toBe(true);
    });
  });
  describe.skipIf(!tc.ok)(`lab matrix: ${stack}`, () => {
    let m: MatrixPki;
    beforeAll(() => {
      m = matrixPki();
    });
    afterAll(() => m?.pki.remove());
    for (const version of versions) {
      for (const s of SCENARIOS) {
        const why = LEFT_OUT[stack]?.[s.id];
        it.skipIf(!!why)(`${stack} TLS ${version}: ${s.title} → ${s.expect}${why ? ` (left out: ${why})` : ''}`, async () => {
          const report = await runCell(m, stack, version, s, tc.binary);
          const got = verdictOf(report);
          expect(got, `${stack} ${version} ${s.id}: ${JSON.stringify(report.symptom)} ${report.findings.map((f) => f.rule).join(', ')}`).toBe(s.expect);
          s.check?.(report, stack, version);
          // The report says which stack it saw, and from what (an ALPN refusal comes before any ServerHello).
          const told = report.sources.find((x) => x.peerStack)?.peerStack ?? 'no stack told';
          if (s.id !== 'alpn-mismatch') expect(told, `${stack} ${version} ${s.id}`).toMatch(STACK_SAID[stack]);
        });
      }
    }
  });
}
