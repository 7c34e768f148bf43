/**
 * RFC 8446 §4.4.3: the CertificateVerify signature is made with the private key matching the end-entity
 * certificate. A key that does not match the leaf fails every handshake (OpenSSL:
 * "key values mismatch"; Envoy refuses the secret).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, keyFile, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/key-mismatch',
    stage: 'chain',
    severity: 'critical',
    title: 'Private key does not match the certificate',
    description: 'The private key given is not the key of the leaf certificate.',
    requires: ['local-chain', 'key'],
    confidence: 1,
    citation: 'RFC 8446 §4.4.3',
    explains: [
      { symptom: 'alert:51', weight: 0.55, why: 'Or our private key does not match our certificate, so our CertificateVerify signature fails.' },
      { symptom: 'key-mismatch', weight: 0.95, why: 'The key file belongs to another certificate (a rotation that replaced one file but not the other).' },
      { symptom: 'local-cert-problem', weight: 0.6, why: 'curl (58) most often means the key does not match the certificate, or the files are swapped.' },
    ],
    hint: {
      confirm: 'the public key in the certificate differs from the one derived from the key file',
      next: 'openssl x509 -in cert-chain.pem -noout -pubkey > cert-pub.pem && openssl pkey -in key.pem -pubout | diff cert-pub.pem - && echo match',
      fix: 'Deploy the key that belongs to the certificate (replace both files together).',
      subject: 'local',
    },
    messages: {
      mismatch:
        'The private key from {keySource} ({keyType}) is not the key of the leaf {cert}: its public key hashes to {keySpki}…, the certificate\'s to {certSpki}…. A workload serving this pair cannot complete a handshake (OpenSSL: "key values mismatch"; Envoy rejects the secret). Usually the key and certificate files come from different rotations.',
    },
    remediation: [
      'Re-deploy the key and certificate as one pair (same Secret, same rotation); for cert-manager, delete the Secret so it is re-issued',
      'In Istio, restart the pod: the agent generates a fresh key and certificate together',
    ],
    verify: '{x509} -noout -pubkey > cert-pub.pem && openssl pkey -in {key} -pubout | diff cert-pub.pem - && echo match',
  },
  check(ctx) {
    const { key, local } = ctx.facts;
    if (!key || !local || key.matchesLeaf !== false) return;
    ctx.report({
      messageId: 'mismatch',
      about: local.leaf.fingerprint,
      data: { keySource: key.source, keyType: key.type, cert: describe(local.leaf), keySpki: key.spkiSha256.slice(0, 16), certSpki: local.leaf.spkiSha256.slice(0, 16), x509: x509Of(local.leaf), key: keyFile(key) },
      evidence: [
        { source: key.source, detail: `public key SHA-256 ${key.spkiSha256}` },
        { source: local.leaf.source, detail: `certificate public key SHA-256 ${local.leaf.spkiSha256}` },
      ],
    });
  },
});
