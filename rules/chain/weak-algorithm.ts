/**
 * CA/B Forum BR §6.1.5–7.1.3 and current verifiers: MD5 and SHA-1 signatures are rejected (Go since 1.18,
 * OpenSSL at security level 1+ for TLS, BoringSSL for MD5), and RSA keys below 2048 bits are refused by
 * default OpenSSL 3 security levels.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';
import { checkById, gradeFor, verdictSentence } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'chain/weak-algorithm',
    stage: 'chain',
    severity: 'error',
    title: 'Weak signature algorithm or key',
    description: 'A certificate on the chain is signed with MD5/SHA-1, has an RSA key shorter than 2048 bits, a DSA key, or an EC key on a small or explicit curve.',
    requires: ['chain'],
    confidence: 0.85,
    explains: [
      { symptom: 'verify:weak', weight: 0.9, why: 'SHA-1/MD5 signatures or RSA keys under 2048 bits are refused by current TLS stacks.' },
    ],
    hint: {
      confirm: 'a certificate is signed with SHA-1/MD5 or has an RSA key under 2048 bits',
      next: 'openssl x509 -in cert-chain.pem -noout -text | grep -E \'Signature Algorithm|Public-Key\'',
      fix: 'Re-issue with SHA-256 and RSA ≥ 2048 or ECDSA P-256.',
    },
    messages: {
      weakHash: '{cert} is signed with {alg}. Go peers (since 1.18), OpenSSL 3 at its default security level and most meshes reject it ("ca md too weak" / "x509: insecure algorithm").',
      weakKey: '{cert} has a {bits}-bit RSA key. OpenSSL 3 rejects RSA keys under 2048 bits at its default security level ("ee key too small" / "ca key too small").',
      sha1: '{cert} is signed with {alg}. Verifiers differ: {verdict}',
      rsaUnder2048: '{cert} has a {bits}-bit RSA key. Verifiers differ: {verdict}',
      weakCurve: '{cert} has an EC key on {curve}. BoringSSL (Envoy), Go and rustls accept only P-256, P-384 (and P-521) with named parameters; OpenSSL 3 refuses curves under 224 bits and explicit curve parameters.',
      dsaKey: '{cert} has a DSA key. BoringSSL (Envoy), Go and rustls do not verify DSA signatures at all, so the chain cannot be trusted by mesh proxies.',
    },
    remediation: ['Re-issue {cert_short} with SHA-256 (or better) and an RSA 2048+ or ECDSA P-256 key'],
    verify: '{x509} -noout -text | grep -E "Signature Algorithm|Public-Key"',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      chain.path.forEach((cert, i) => {
        // A trust anchor's self-signature is not checked by verifiers; its key still is.
        const isAnchor = i === chain.path.length - 1 && cert.selfIssued;
        const base = { cert: describe(cert), cert_short: `"${cert.name}"`, x509: x509Of(cert) };
        const hash = cert.signature.hash;
        if (!isAnchor && hash === 'sha1') {
          // BoringSSL (Envoy) still verifies SHA-1; rustls-webpki and Go do not (src/x509/verifiers.ts).
          const check = checkById('sha1-signature');
          ctx.report({
            messageId: 'sha1',
            subject: chain.subject,
            severity: gradeFor(check, ctx.facts.verifier),
            about: `${cert.fingerprint}:hash`,
            data: { ...base, alg: cert.signature.name, verdict: verdictSentence(check, ctx.facts.verifier) },
            evidence: [{ source: cert.source, detail: `signature algorithm ${cert.signature.name}` }],
          });
        } else if (!isAnchor && (hash === 'md5' || hash === 'md2')) {
          ctx.report({
            messageId: 'weakHash',
            subject: chain.subject,
            severity: 'critical',
            about: `${cert.fingerprint}:hash`,
            data: { ...base, alg: cert.signature.name },
            evidence: [{ source: cert.source, detail: `signature algorithm ${cert.signature.name}` }],
          });
        }
        const rsaBits = cert.publicKey.type === 'rsa' || cert.publicKey.type === 'rsa-pss' ? cert.publicKey.bits : null;
        if (rsaBits !== null && rsaBits >= 1024 && rsaBits < 2048) {
          // BoringSSL (Envoy) and Go accept 1024-bit RSA; rustls-webpki only has 2048-8192-bit algorithms.
          const check = checkById('rsa-key-under-2048');
          ctx.report({
            messageId: 'rsaUnder2048',
            subject: chain.subject,
            severity: gradeFor(check, ctx.facts.verifier),
            about: `${cert.fingerprint}:key`,
            data: { ...base, bits: rsaBits, verdict: verdictSentence(check, ctx.facts.verifier) },
            evidence: [{ source: cert.source, detail: `RSA ${rsaBits}-bit key` }],
          });
        } else if (rsaBits !== null && rsaBits < 1024) {
          ctx.report({
            messageId: 'weakKey',
            subject: chain.subject,
            severity: 'critical',
            about: `${cert.fingerprint}:key`,
            data: { ...base, bits: rsaBits },
            evidence: [{ source: cert.source, detail: `RSA ${cert.publicKey.bits}-bit key` }],
          });
        }
        const curve = cert.publicKey.curve;
        if (cert.publicKey.type === 'ec' && (curve === 'explicit' || (cert.publicKey.bits !== null && cert.publicKey.bits < 224))) {
          ctx.report({
            messageId: 'weakCurve',
            subject: chain.subject,
            severity: 'error',
            about: `${cert.fingerprint}:curve`,
            data: { ...base, curve: curve === 'explicit' ? 'explicit curve parameters' : `${curve} (${cert.publicKey.bits} bits)` },
            evidence: [{ source: cert.source, detail: `EC key, curve ${curve}` }],
          });
        }
        if (cert.publicKey.type === 'dsa') {
          ctx.report({
            messageId: 'dsaKey',
            subject: chain.subject,
            severity: 'error',
            about: `${cert.fingerprint}:dsa`,
            data: base,
            evidence: [{ source: cert.source, detail: `DSA ${cert.publicKey.bits ?? '?'}-bit key` }],
          });
        }
      });
    }
  },
});
