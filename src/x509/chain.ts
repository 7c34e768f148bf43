import { verifySignature, type ParsedCert } from './certificate.js';
import { checkNameConstraints, type NcViolation } from './name-constraints.js';
import type { CertFact } from './types.js';

/** A named set of certificates: a trust bundle (`trust`, `peerTrust`) or the mesh CA material (`ca`). */
export interface BundleFact {
  name: string;
  /** Where it came from (file name, Envoy secret, …). */
  source: string;
  certs: CertFact[];
}

export interface LinkFact {
  child: string;
  parent: string;
  /** The parent's key verifies the child's signature; null when it cannot be checked (unsupported algorithm). */
  signatureValid: boolean | null;
  /** The child's authority key id names the parent's subject key id (null: one of them is absent). */
  keyIdMatch: boolean | null;
}

export interface ChainFact {
  /** Whose chain: `local` (the workload's own) or `peer` (what a peer presented). */
  subject: 'local' | 'peer';
  /** Which way the certificate is used: as a TLS client, a server, or both (a mesh workload). */
  usage: 'client' | 'server' | 'both';
  /** The identity this chain's leaf must carry, when known. */
  expectedId: string | null;
  presented: CertFact[];
  leaf: CertFact;
  /** Leaf first, up to the last certificate that could be linked (a root, a trust anchor, or a dead end). */
  path: CertFact[];
  links: LinkFact[];
  end: 'root' | 'anchor' | 'missing-issuer';
  /** The bundle the other side verifies this chain with, and whether the path reaches one of its anchors. */
  verifier: { bundle: string; anchored: boolean; anchor: CertFact | null } | null;
  /** For every known bundle: the anchor in it that the path reaches, if any. */
  anchoredIn: Record<string, string | null>;
  /** Certificates on the path that the chain did not present and the verifier does not hold as anchors. */
  fromOutside: CertFact[];
  unusedPresented: CertFact[];
  duplicates: CertFact[];
  outOfOrder: boolean;
  /** Work spent building the path, for the pathological-input budget. */
  steps: number;
  budgetExhausted: boolean;
  /**
   * The path was cut at MAX_CHAIN_DEPTH certificates while its top still had an issuer to go on with: longer than
   * any verifier profile follows (chain/max-depth-exceeded says so); whether it reaches a trusted root was not
   * evaluated.
   */
  depthLimited: boolean;
  /** RFC 5280 name-constraint violations on the built path (CA constraints over the names below them). */
  nameConstraintViolations: NcViolation[];
}

export interface BuildChainInput {
  subject: 'local' | 'peer';
  usage: 'client' | 'server' | 'both';
  expectedId: string | null;
  presented: ParsedCert[];
  /** Every other certificate known: CA material and all trust bundles. */
  pool: ParsedCert[];
  bundles: BundleFact[];
  /** Name of the bundle that verifies this chain (e.g. `peerTrust` for our own chain), if known. */
  verifierBundle: string | null;
  /**
   * Evaluation time (ms). Only a preference: among several paths the builder picks one whose certificates are
   * valid then, as verifiers do; dates never stop a path from being built (expiry is its own stage).
   */
  at?: number;
}

/**
 * The longest path the builder follows, in certificates: the leaf, 100 intermediate CAs and the trust anchor, the
 * longest chain OpenSSL and BoringSSL (Envoy) accept at their default depth (src/x509/verifiers.ts CHAIN_LIMITS).
 * A path cut here is longer than every profile accepts; the search is bounded by steps (MAX_BUILD_STEPS), not by
 * this depth.
 */
export const MAX_CHAIN_DEPTH = 102;
export const MAX_BUILD_STEPS = 5000;
/** The budget when no trust anchor can be reached by issuer names at all: every path then ends unanchored. */
export const MAX_BUILD_STEPS_UNANCHORED = 120;
/** Above this many same-named candidate issuers, they are ordered without verifying every signature first. */
const EAGER_SIGNATURE_RANKING = 16;

/** The trust anchor a built path ends at (above the leaf): a trusted certificate or a self-issued root; null if none. */
export const anchorOf = (chain: ChainFact): CertFact | null => {
  const top = chain.path[chain.path.length - 1]!;
  return chain.path.length > 1 && (chain.verifier?.anchored || top.selfIssued) ? top : null;
};

/** The same certificate for a verifier: identical bytes, or the same subject with the same key (a re-issued root). */
export function sameAnchor(a: CertFact, b: CertFact): boolean {
  return a.fingerprint === b.fingerprint || (a.subjectKey === b.subjectKey && a.spkiSha256 === b.spkiSha256);
}

export function findInBundle(bundle: BundleFact | undefined, cert: CertFact): CertFact | undefined {
  return bundle?.certs.find((c) => sameAnchor(c, cert));
}

/**
 * Builds the most plausible path from the leaf upward, ignoring validity dates (expiry is its own stage).
 * Tolerates a chain out of order, duplicates and a root included. The search prefers paths that reach an
 * anchor of the verifying bundle, then valid signatures, then presented certificates; its work is bounded by
 * MAX_BUILD_STEPS so that a pathological input cannot make it explode.
 */
export function buildChain(input: BuildChainInput): ChainFact {
  const unique = dedupe(input.presented);
  const duplicates = input.presented.filter((p, i) => input.presented.findIndex((q) => q.fact.fingerprint === p.fact.fingerprint) !== i).map((p) => p.fact);
  const leaf = pickLeaf(unique);
  const all = dedupe([...unique, ...input.pool]);
  const byIssuerKey = new Map<string, ParsedCert[]>();
  for (const c of all) {
    const list = byIssuerKey.get(c.fact.subjectKey) ?? [];
    list.push(c);
    byIssuerKey.set(c.fact.subjectKey, list);
  }
  const verifier = input.bundles.find((b) => b.name === input.verifierBundle);
  const presentedSet = new Set(unique.map((c) => c.fact.fingerprint));
  const sigCache = new Map<string, boolean | null>();
  const sig = (child: ParsedCert, parent: ParsedCert) => {
    const k = `${child.fact.fingerprint}>${parent.fact.fingerprint}`;
    if (!sigCache.has(k)) sigCache.set(k, child.node && parent.node ? verifySignature(child.node, parent.node) : null);
    return sigCache.get(k)!;
  };

  let steps = 0;
  let best: { path: ParsedCert[]; score: number } | undefined;
  // Is this certificate an anchor of the verifying bundle? A set lookup: it runs for every candidate of the search.
  const anchorKeys = new Set(verifier?.certs.flatMap((c) => [c.fingerprint, `${c.subjectKey}|${c.spkiSha256}`]) ?? []);
  const anchorOf = (c: ParsedCert) => anchorKeys.has(c.fact.fingerprint) || anchorKeys.has(`${c.fact.subjectKey}|${c.fact.spkiSha256}`);
  // Higher is better: anchored first, then a self-issued top, then no bad or unchecked signatures, then no
  // problem a verifier rejects, then fewer certificates from outside the chain, then shorter.
  const scorePath = (path: ParsedCert[]) => {
    let score = 0;
    if (path.some(anchorOf)) score += 1_000_000;
    const top = path[path.length - 1]!;
    if (top.fact.selfIssued) score += 100_000;
    for (let i = 0; i + 1 < path.length; i++) {
      const v = sig(path[i]!, path[i + 1]!);
      score -= v === false ? 10_000 : v === null ? 5000 : 0;
    }
    score -= 1000 * pathProblems(path.map((c) => c.fact), input.at, input.usage);
    score -= 10 * path.filter((c) => !presentedSet.has(c.fact.fingerprint)).length;
    score -= path.length;
    return score;
  };
  /** The best a path of this length can score: anchored, every signature valid, nothing wrong with it. */
  const perfect = (path: ParsedCert[]) => 1_100_000 - 10 * path.filter((c) => !presentedSet.has(c.fact.fingerprint)).length - path.length;
  const candidatesFor = (c: ParsedCert): ParsedCert[] => {
    const list = (byIssuerKey.get(c.fact.issuerKey) ?? []).filter(
      (p) => p.fact.fingerprint !== c.fact.fingerprint && (c.fact.aki === null || p.fact.ski === null || c.fact.aki === p.fact.ski),
    );
    // Many issuers with one name (a pathological chain, Go's TestPathologicalChains): verifying every one of
    // them for every child is quadratic in signature checks; order by anchor and presence, verify when walked.
    const eager = list.length <= EAGER_SIGNATURE_RANKING;
    const rank = (p: ParsedCert) => {
      const s = eager ? sig(c, p) : null;
      return (s === true ? 8 : s === null ? 4 : 0) + (anchorOf(p) ? 2 : 0) + (presentedSet.has(p.fact.fingerprint) ? 1 : 0);
    };
    return list.sort((a, b) => rank(b) - rank(a));
  };
  // Can a trust anchor be reached from the leaf by issuer names at all? If not, every path ends unanchored, and
  // a long search cannot find a much better one: a smaller budget bounds the work (limbo's pathological chains).
  const reachable = (() => {
    const seenNames = new Set<string>();
    const queue = [leaf.fact.issuerKey];
    while (queue.length) {
      const name = queue.pop()!;
      if (seenNames.has(name)) continue;
      seenNames.add(name);
      for (const p of byIssuerKey.get(name) ?? []) {
        if (anchorOf(p)) return true;
        queue.push(p.fact.issuerKey);
      }
    }
    return anchorOf(leaf);
  })();
  const budget = reachable ? MAX_BUILD_STEPS : MAX_BUILD_STEPS_UNANCHORED;
  const isTerminal = (c: ParsedCert) => (c.fact.selfIssued && c.fact.selfSigned !== false) || anchorOf(c);
  let exhausted = false;
  const walk = (path: ParsedCert[], seen: Set<string>): boolean => {
    steps++;
    if (steps > budget) {
      exhausted = true;
      return true;
    }
    const cur = path[path.length - 1]!;
    // A certificate whose subject and key are already on the path would close a loop (RFC 4158 §5.2).
    const cands =
      isTerminal(cur) || path.length >= MAX_CHAIN_DEPTH
        ? []
        : candidatesFor(cur).filter((p) => !seen.has(p.fact.fingerprint) && !path.some((q) => q.fact.subjectKey === p.fact.subjectKey && q.fact.spkiSha256 === p.fact.spkiSha256));
    if (cands.length === 0) {
      const score = scorePath(path);
      if (!best || score > best.score) best = { path: [...path], score };
      // Anchored, every signature valid, no problem at all: nothing better exists.
      return score >= perfect(path);
    }
    for (const p of cands) {
      seen.add(p.fact.fingerprint);
      path.push(p);
      const done = walk(path, seen);
      path.pop();
      seen.delete(p.fact.fingerprint);
      if (done) return true;
    }
    return false;
  };
  walk([leaf], new Set([leaf.fact.fingerprint]));
  const path = best!.path;
  const cutTop = path[path.length - 1]!;
  const onPath = new Set(path.map((c) => c.fact.fingerprint));
  const depthLimited = path.length >= MAX_CHAIN_DEPTH && !isTerminal(cutTop) && candidatesFor(cutTop).some((p) => !onPath.has(p.fact.fingerprint));

  const links: LinkFact[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i]!.fact;
    const parent = path[i + 1]!.fact;
    links.push({
      child: child.fingerprint,
      parent: parent.fingerprint,
      signatureValid: sig(path[i]!, path[i + 1]!),
      keyIdMatch: child.aki && parent.ski ? child.aki === parent.ski : null,
    });
  }
  const top = path[path.length - 1]!.fact;
  const anchoredIn: Record<string, string | null> = {};
  for (const b of input.bundles) {
    const hit = path.map((c) => findInBundle(b, c.fact)).find((x) => x !== undefined);
    anchoredIn[b.name] = hit ? hit.fingerprint : null;
  }
  const verifierAnchor = verifier ? path.map((c) => findInBundle(verifier, c.fact)).find((x) => x !== undefined) ?? null : null;
  const end: ChainFact['end'] = top.selfIssued && top.selfSigned !== false ? 'root' : verifierAnchor ? 'anchor' : 'missing-issuer';
  const inPath = new Set(path.map((c) => c.fact.fingerprint));
  const presentedOrder = unique.map((c) => c.fact.fingerprint).filter((f) => inPath.has(f));
  const pathOrder = path.map((c) => c.fact.fingerprint).filter((f) => presentedSet.has(f));
  return {
    subject: input.subject,
    usage: input.usage,
    expectedId: input.expectedId,
    presented: input.presented.map((c) => c.fact),
    leaf: leaf.fact,
    path: path.map((c) => c.fact),
    links,
    end,
    verifier: verifier ? { bundle: verifier.name, anchored: !!verifierAnchor, anchor: verifierAnchor } : null,
    anchoredIn,
    fromOutside: path.filter((c) => !presentedSet.has(c.fact.fingerprint) && !anchorOf(c)).map((c) => c.fact),
    unusedPresented: unique.filter((c) => !inPath.has(c.fact.fingerprint)).map((c) => c.fact),
    duplicates,
    outOfOrder: presentedOrder.join() !== pathOrder.join(),
    steps,
    budgetExhausted: exhausted,
    depthLimited,
    nameConstraintViolations: checkNameConstraints(path.map((c) => c.fact)),
  };
}

/**
 * What makes verifiers reject a path, counted, so that path building prefers a path that works (BetterTLS
 * pathbuilding: an expired or non-CA cross-sign next to a good one). A preference only: the chosen path is then
 * judged by the rules, which say what is wrong with it.
 */
function pathProblems(path: CertFact[], at: number | undefined, usage: BuildChainInput['usage']): number {
  let n = 0;
  const purpose = usage === 'client' ? 'clientAuth' : 'serverAuth';
  let nonSelfIssuedBelow = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const isTop = i === path.length - 1;
    if (at !== undefined && (at < c.notBefore || at > c.notAfter)) n++;
    if (c.defects.length) n++;
    if (c.unknownCriticalExtensions.length) n++;
    if (!isTop && (c.signature.hash === 'md5' || c.signature.hash === 'md2' || c.signature.hash === 'sha1')) n++;
    if ((c.publicKey.type === 'rsa' || c.publicKey.type === 'rsa-pss') && c.publicKey.bits !== null && c.publicKey.bits < 2048) n++;
    if (i > 0) {
      const v1Anchor = isTop && c.version === 1 && c.selfIssued;
      if (!c.basicConstraints?.ca && !v1Anchor) n++;
      if (c.keyUsage !== null && !c.keyUsage.includes('keyCertSign')) n++;
      if (c.eku !== null && !c.eku.includes(purpose) && !c.eku.includes('any')) n++;
      const max = c.basicConstraints?.pathLen;
      if (c.basicConstraints?.ca && max !== null && max !== undefined && nonSelfIssuedBelow > max) n++;
      if (!c.selfIssued) nonSelfIssuedBelow++;
    }
  }
  if (path.some((c, i) => i > 0 && c.nameConstraints)) n += Math.min(1, checkNameConstraints(path).length);
  return n;
}

function dedupe(certs: ParsedCert[]): ParsedCert[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.fact.fingerprint) ? false : (seen.add(c.fact.fingerprint), true)));
}

/** The leaf is the presented certificate that issues none of the others; the first one given wins ties. */
function pickLeaf(certs: ParsedCert[]): ParsedCert {
  const issuesAnother = (c: ParsedCert) => certs.some((o) => o !== c && o.fact.issuerKey === c.fact.subjectKey && !o.fact.selfIssued);
  const first = certs[0]!;
  if (!issuesAnother(first)) return first;
  return certs.find((c) => !issuesAnother(c) && c.fact.basicConstraints?.ca !== true) ?? certs.find((c) => !issuesAnother(c)) ?? first;
}
