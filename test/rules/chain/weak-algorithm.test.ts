import rule from '../../../rules/chain/weak-algorithm.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, mesh, reencode, root, type Issued } from '../../support/pki.js';

// RSA keys are slow to generate: each one once per file, reused through `keys`.
const once = <T>(f: () => Promise<T>) => { let p: Promise<T> | undefined; return () => (p ??= f()); };
const rsa1024 = once(() => root('RSA-1024 Key', { keyAlg: 'rsa-1024' }));
const rsa2048 = once(() => root('RSA-2048 Key', { keyAlg: 'rsa-2048' }));
const keysOf = async (k: () => Promise<Issued>) => { const h = await k(); return { keys: h.keys, keyAlg: h.keyAlg }; };

testRule(rule, {
  valid: [
    { name: 'ec-p256-sha256-chain', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [m.root] }); } },
    {
      name: 'ec-p384-sha384-chain',
      evidence: async () => { const m = await mesh({ root: { keyAlg: 'ec-p384', hash: 'SHA-384' }, inter: { keyAlg: 'ec-p384', hash: 'SHA-384' }, leaf: { hash: 'SHA-384' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
    },
    {
      name: 'rsa-2048-leaf',
      evidence: async () => { const m = await mesh(); const l = await leaf(m.inter, await keysOf(rsa2048)); return evidenceFor({ chain: [l, m.inter], trust: [m.root] }); },
    },
    {
      // Verifiers do not check a trust anchor's self-signature: an old SHA-1 root is still a fine anchor.
      name: 'sha1-self-signed-root-trust-anchor',
      evidence: async () => { const m = await mesh({ root: { hash: 'SHA-1' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
    },
    {
      name: 'sha1-self-signed-root-included-in-chain',
      evidence: async () => { const m = await mesh({ root: { hash: 'SHA-1' } }); return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [m.root] }); },
    },
  ],
  invalid: [
    {
      name: 'leaf-signed-ecdsa-with-sha1',
      evidence: async () => { const m = await mesh({ leaf: { hash: 'SHA-1' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      // Envoy (the default profile) still verifies SHA-1: a warning naming ztunnel and Go, which reject it.
      errors: [{ messageId: 'sha1', severity: 'warning', subject: 'local', explanation: /^"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" .* is signed with ecdsa-with-SHA1\. Verifiers differ: Envoy \(BoringSSL\) accepts it .*x509_digest_nid_ok.*ztunnel \(rustls-webpki\), Go \(crypto\/x509\) and strict/ }],
    },
    {
      name: 'leaf-signed-ecdsa-with-sha1 judged as Go (proxyless gRPC): an error naming x509.go',
      evidence: async () => { const m = await mesh({ leaf: { hash: 'SHA-1' } }); const ev = await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); return { ...ev, options: { ...ev.options, verifier: 'go' as const } }; },
      errors: [{ messageId: 'sha1', severity: 'error', explanation: /Go \(crypto\/x509\) rejects it \(golang\/go src\/crypto\/x509\/x509\.go checkSignature\(\)/ }],
    },
    {
      name: 'intermediate-signed-with-sha1',
      evidence: async () => { const m = await mesh({ inter: { hash: 'SHA-1' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'sha1', severity: 'warning', explanation: /^"Mesh Intermediate CA" .* is signed with ecdsa-with-SHA1\./ }],
    },
    {
      name: 'leaf-signed-md5-with-rsa',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'RSA Intermediate CA', await keysOf(rsa2048));
        const l = await reencode(await leaf(i), { signer: i, hash: 'md5' });
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'weakHash', severity: 'critical', explanation: /is signed with md5WithRSAEncryption\./ }],
    },
    {
      name: 'leaf-rsa-1024-key',
      evidence: async () => { const m = await mesh(); const l = await leaf(m.inter, await keysOf(rsa1024)); return evidenceFor({ chain: [l, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'rsaUnder2048', severity: 'warning', explanation: /^"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" .* has a 1024-bit RSA key\. Verifiers differ: Envoy \(BoringSSL\) accepts it .*OPENSSL_RSA_MIN_MODULUS_BITS is 512.*ztunnel \(rustls-webpki\) and strict/ }],
    },
    {
      // The anchor's signature is exempt, its key is not: OpenSSL 3 refuses "ca key too small".
      name: 'root-trust-anchor-rsa-1024-key',
      evidence: async () => {
        const r = await root('Mesh Root CA', await keysOf(rsa1024));
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'rsaUnder2048', severity: 'warning', explanation: /^"Mesh Root CA" .* has a 1024-bit RSA key\./ }],
    },
    {
      name: 'leaf-sha1-signature-and-rsa-1024-key',
      evidence: async () => { const m = await mesh(); const l = await leaf(m.inter, { ...(await keysOf(rsa1024)), hash: 'SHA-1' }); return evidenceFor({ chain: [l, m.inter], trust: [m.root] }); },
      errors: [
        { messageId: 'sha1', severity: 'warning', explanation: /ecdsa-with-SHA1/ },
        { messageId: 'rsaUnder2048', severity: 'warning', explanation: /1024-bit RSA key/ },
      ],
    },
  ],
});
