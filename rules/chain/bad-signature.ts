/**
 * RFC 5280 §6.1.3 (a)(1): the signature on each certificate must verify with the working public key of its
 * issuer. A name match with a failing signature usually means a CA was re-keyed under the same name: the
 * chain was issued by the old key, the verifier holds the new one (or the reverse).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { certFile, describe, fetchAll, firstCertArg, type FileArg } from '../_kit/index.js';

/** The issuer alone as the trusted file, and a file whose first certificate is the child. */
function signatureArgs(child: Parameters<typeof firstCertArg>[0], parent: Parameters<typeof certFile>[0]): { fetch: string; issuer: string; file: string } {
  const issuer: FileArg = certFile(parent, 'issuer.pem');
  const cert = firstCertArg(child, 'cert.pem');
  return { fetch: fetchAll(issuer, cert), issuer: issuer.file, file: cert.file };
}

export default defineRule({
  meta: {
    id: 'chain/bad-signature',
    stage: 'chain',
    severity: 'critical',
    title: 'Certificate signature does not verify',
    description: "A certificate's signature does not verify with the key of the issuer that has its issuer name.",
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §6.1.3 (a)(1)',
    explains: [
      { symptom: 'verify:same-name-other-key', weight: 0.55, why: 'The chain itself links a certificate to an issuer whose key did not sign it.' },
      { symptom: 'verify:bad-signature', weight: 0.9, why: 'The issuer named in the certificate did not sign it with the key the verifier has (a re-generated CA with the same name).' },
      { symptom: 'alert:51', weight: 0.65, why: 'Envoy sends decrypt_error for CERT_SIGNATURE_FAILURE: a certificate in our chain was signed by a different key than the CA the peer has.' },
      { symptom: 'alert:48', weight: 0.25, why: 'A verifier that cannot verify a signature up to its roots may report the issuer as unknown.' },
    ],
    hint: {
      confirm: 'openssl verify fails with "certificate signature failure" against the CA of that name',
      next: 'istioctl proxy-config secret {pod} -n NS -o json | jq -r \'.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes\' | base64 -d > cert-chain.pem && mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem',
      fix: 'Re-issue the certificate from the CA whose key matches the published CA certificate; remove the stale same-name CA.',
    },
    messages: {
      bad: '{child} names {parent} as its issuer, but {parent_short}\'s key does not verify its signature. A CA with this name exists whose key did not sign it: typically the CA was re-created or re-keyed under the same name (a reinstall, a new self-signed root), and the chain or the trust bundle still holds the other one. Verifiers report "certificate signature failure" (alert 51 decrypt_error / 42).',
    },
    remediation: [
      'Find which key is current: compare the issuer\'s SKI with the child\'s AKI (openssl x509 -noout -text | grep -A1 "Key Identifier")',
      'Re-issue the certificate from the current CA, or put the matching CA certificate into the chain / trust bundle',
    ],
    verify: '{fetch}openssl verify -partial_chain -CAfile {issuer} {file}',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (const link of chain.links) {
        if (link.signatureValid !== false) continue;
        const child = ctx.facts.certs.get(link.child)!;
        const parent = ctx.facts.certs.get(link.parent)!;
        ctx.report({
          messageId: 'bad',
          subject: chain.subject,
          about: child.fingerprint,
          data: { child: describe(child), parent: describe(parent), parent_short: `"${parent.name}"`, ...signatureArgs(child, parent) },
          evidence: [
            { source: child.source, detail: `issuer "${child.issuer}", authority key id ${child.aki ?? '(none)'}` },
            { source: parent.source, detail: `subject "${parent.subject}", subject key id ${parent.ski ?? '(none)'}, key ${parent.spkiSha256.slice(0, 16)}…` },
          ],
        });
      }
    }
  },
});
