/**
 * RFC 5280 §4.2.1.9: "The cA boolean indicates whether the certified public key may be used to verify
 * certificate signatures." A certificate handed over as the mesh CA's material (`--ca`, the cacerts
 * cert-chain.pem) without cA=TRUE cannot issue anything: usually the wrong file (a workload leaf), or a CA
 * certificate issued without basicConstraints. It is flagged, and not judged as a CA level.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, isCaCertificate, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/ca-material-not-ca',
    stage: 'chain',
    severity: 'warning',
    title: 'A certificate given as CA material is not a CA',
    description: 'A certificate in the mesh CA material (--ca) lacks basicConstraints cA=TRUE, so it is not judged as a CA level.',
    requires: ['ca'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.2.1.9',
    messages: {
      notCa:
        '{cert} was given as CA material (--ca), but it is not a CA certificate ({why}). It cannot issue certificates, so it is not judged as an intermediate or root. If it is a workload certificate, give it with --chain; if it is meant to be the CA (cacerts ca-cert.pem), it must be issued with basicConstraints critical,CA:TRUE.',
    },
    remediation: [
      'Give the mesh CA\'s own certificates with --ca (cacerts: ca-cert.pem, cert-chain.pem, root-cert.pem) and the workload\'s chain with --chain',
      'A CA certificate needs basicConstraints critical,CA:TRUE and keyUsage keyCertSign (openssl: -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign")',
    ],
    verify: '{x509} -noout -ext basicConstraints',
  },
  check(ctx) {
    for (const cert of ctx.facts.bundles.ca!.certs) {
      if (isCaCertificate(cert)) continue;
      ctx.report({
        messageId: 'notCa',
        subject: 'ca',
        about: cert.fingerprint,
        data: { cert: describe(cert), why: cert.basicConstraints ? 'basicConstraints CA:FALSE' : 'no basicConstraints extension', x509: x509Of(cert) },
        evidence: [{ source: cert.source, detail: `basicConstraints: ${cert.basicConstraints ? `CA:${cert.basicConstraints.ca ? 'TRUE' : 'FALSE'}` : 'absent'}` }],
      });
    }
  },
});
