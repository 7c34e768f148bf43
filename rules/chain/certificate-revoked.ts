/**
 * RFC 5280 §6.3.3 (i): "If the serial number of the certificate is listed on the CRL, set the cert_status to
 * the revocation reason". Only a CRL the certificate's own issuer signed counts; OpenSSL and BoringSSL
 * (Envoy) then fail verification with "certificate revoked" (X509_V_ERR_CERT_REVOKED).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { crlFileArg, describe, iso } from '../_kit/index.js';

const crlArgs = (crl: Parameters<typeof crlFileArg>[0]) => {
  const f = crlFileArg(crl);
  return { fetch: f.fetch, crlFile: f.file };
};
import { revocationChecks } from '../../src/x509/revocation.js';

export default defineRule({
  meta: {
    id: 'chain/certificate-revoked',
    stage: 'chain',
    severity: 'critical',
    title: 'Certificate is revoked',
    description: "A certificate on the path is listed by a CRL that its issuer signed (Istio's ca-crl.pem, Envoy's validation-context CRL).",
    requires: ['chain', 'crl'],
    confidence: 0.95,
    citation: 'RFC 5280 §6.3.3; Envoy CertificateValidationContext.crl',
    explains: [
      { symptom: 'verify:revoked', weight: 0.95, why: 'A CRL the verifier holds lists the certificate\'s serial as revoked.' },
      { symptom: 'alert:44', weight: 0.85, why: 'The peer\'s CRL lists our certificate (or a CA above it) as revoked.' },
    ],
    hint: {
      confirm: 'the certificate\'s serial is listed in the CRL the verifier uses',
      next: 'openssl crl -in crl.pem -noout -text | grep -A1 "Serial Number"; openssl x509 -in cert-chain.pem -noout -serial',
      fix: 'Issue a new certificate (a revoked one cannot be un-revoked), or remove a wrong entry from the CRL.',
    },
    messages: {
      revoked:
        '{cert} is revoked: the CRL {crl} signed by its issuer {issuer} lists serial {serial} (revoked {revokedAt}{reason}). A verifier that checks this CRL rejects it with "certificate revoked" (TLS alert 44 certificate_revoked); in Istio that is every sidecar once the plug-in CA\'s ca-crl.pem reaches it.',
    },
    remediation: [
      'Replace {cert_short}: for a workload certificate restart the pod (istio-agent requests a new one); for a CA, issue a new one and update the cacerts Secret',
      'If the revocation was a mistake, publish a CRL without serial {serial} and update ca-crl.pem in the cacerts Secret',
    ],
    verify: '{fetch}openssl crl -in {crlFile} -noout -text | grep -i -A2 {serial}',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      for (const c of revocationChecks(chain.path, ctx.facts.crls, ctx.now)) {
        if (!c.revoked || !c.crl) continue;
        ctx.report({
          messageId: 'revoked',
          subject: chain.subject,
          about: c.cert.fingerprint,
          data: {
            cert: describe(c.cert),
            cert_short: `"${c.cert.name}"`,
            crl: c.crl.source,
            issuer: `"${c.issuer.name}"`,
            serial: c.cert.serial,
            revokedAt: iso(c.revoked.revokedAt),
            reason: c.revoked.reason ? `, reason ${c.revoked.reason}` : '',
            ...crlArgs(c.crl),
          },
          evidence: [
            { source: c.crl.source, detail: `issuer "${c.crl.issuer}", thisUpdate ${iso(c.crl.thisUpdate)}, lists serial ${c.revoked.serial}; signature verified with "${c.issuer.name}"` },
            { source: c.cert.source, detail: `serial ${c.cert.serial}, issuer "${c.cert.issuer}"` },
          ],
        });
      }
    }
  },
});
