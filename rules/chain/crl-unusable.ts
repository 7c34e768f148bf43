/**
 * RFC 5280 §6.3.3 (f)-(g): the CRL's signature must verify with the issuer's key, and "if a key usage extension
 * is present in the CRL issuer's certificate, verify that the cRLSign bit is set"; §5.2: a CRL with an
 * unrecognised critical extension must not be used. OpenSSL and BoringSSL (Envoy) then fail verification of
 * every certificate that CA issued ("CRL signature failure", "unhandled critical CRL extension", "key usage
 * does not include CRL signing"); a CRL that fails these checks never revokes anything.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { certFile, crlFileArg, describe, fetchAll } from '../_kit/index.js';
import type { CertFact } from '../../src/x509/types.js';

const crlArgs = (crl: Parameters<typeof crlFileArg>[0], issuer: CertFact) => {
  const f = crlFileArg(crl);
  const i = certFile(issuer, 'issuer.pem');
  return { fetch: fetchAll(f, i), crlFile: f.file, issuerFile: i.file };
};
import { revocationChecks } from '../../src/x509/revocation.js';

export default defineRule({
  meta: {
    id: 'chain/crl-unusable',
    stage: 'chain',
    severity: 'critical',
    title: 'CRL cannot be used',
    description: "Every CRL for an issuer on the path is one verifiers refuse (bad signature, unhandled critical extension, issuer without cRLSign).",
    requires: ['chain', 'crl'],
    confidence: 0.9,
    citation: 'RFC 5280 §5.2, §6.3.3 (f)-(g)',
    explains: [
      { symptom: 'verify:crl-unusable', weight: 0.9, why: 'Missing, badly signed, or issued by a CA without cRLSign: with CRL checking on, every certificate of that issuer then fails.' },
    ],
    hint: {
      confirm: 'the CRL is missing for an issuer, fails its signature check, or its issuer lacks cRLSign',
      next: 'openssl crl -in crl.pem -noout -issuer; openssl verify -crl_check -CRLfile crl.pem -CAfile root-cert.pem cert-chain.pem',
      fix: 'Provide a CRL signed by each issuer on the path (with cRLSign), or turn CRL checking off for issuers that publish none.',
    },
    messages: {
      unusable:
        'The CRL for {issuer} ({crl}) cannot be used: {reasons}. A verifier that checks CRLs does not fall back to "not revoked": it rejects every certificate {issuer} issued, {cert} included. In Istio this follows a ca-crl.pem that does not belong to the plug-in CA in cacerts (another CA\'s, or one from before a re-key).',
    },
    remediation: [
      'Re-generate the CRL with the key of {issuer} (openssl ca -gencrl, a non-critical cRLNumber) and update ca-crl.pem in the cacerts Secret',
      'If {issuer} has a keyUsage extension, it must include cRLSign to sign CRLs: re-issue the CA with keyCertSign and cRLSign',
    ],
    verify: '{fetch}openssl crl -in {crlFile} -noout -verify -CAfile {issuerFile}',
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const chain of ctx.facts.chains) {
      for (const c of revocationChecks(chain.path, ctx.facts.crls, ctx.now)) {
        if (c.crl || c.unusable.length === 0) continue;
        const key = `${chain.subject}|${c.issuer.fingerprint}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const first = c.unusable[0]!;
        ctx.report({
          messageId: 'unusable',
          subject: chain.subject,
          about: c.cert.fingerprint,
          data: {
            issuer: `"${c.issuer.name}"`,
            crl: c.unusable.map((u) => u.crl.source).join(', '),
            reasons: [...new Set(c.unusable.flatMap((u) => u.reasons))].join('; '),
            cert: describe(c.cert),
            ...crlArgs(first.crl, c.issuer),
          },
          evidence: c.unusable.map((u) => ({ source: u.crl.source, detail: `issuer "${u.crl.issuer}": ${u.reasons.join('; ')}` })),
        });
      }
    }
  },
});
