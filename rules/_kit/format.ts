/** How rules name certificates and chains in their messages and evidence lines. Pure. */
import type { EvidenceRef } from '../../src/model/finding.js';
import { duration, iso } from '../../src/model/time.js';
import type { ChainFact } from '../../src/x509/chain.js';
import type { Facts } from '../../src/facts/types.js';
import type { CertFact } from '../../src/x509/types.js';

export { duration, iso, days, seconds } from '../../src/model/time.js';

/** `"CN=x" (serial 0a1b…, chain.pem #2)` */
export function describe(c: CertFact): string {
  return `"${c.name}" (serial ${c.serial.slice(0, 16)}${c.serial.length > 16 ? '…' : ''}, ${c.source})`;
}

export function validityEvidence(c: CertFact, now: number): EvidenceRef {
  const state = now > c.notAfter ? `expired ${duration(now - c.notAfter)} ago` : now < c.notBefore ? `not valid for another ${duration(c.notBefore - now)}` : `${duration(c.notAfter - now)} left`;
  return { source: c.source, detail: `${c.subject || c.name}: notBefore ${iso(c.notBefore)}, notAfter ${iso(c.notAfter)} (${state})` };
}

/** Whose chain, to start a sentence: `Our` or `The peer's`. */
export function whose(chain: ChainFact): string {
  return chain.subject === 'local' ? 'Our' : "The peer's";
}

/** The identities a chain's leaf may carry: every --expect-id for our own chain, --peer-id for the peer's. */
export function expectedIds(f: Facts, chain: ChainFact): string[] {
  if (chain.subject === 'local' && f.expectIds.length) return f.expectIds;
  return chain.expectedId ? [chain.expectedId] : [];
}
