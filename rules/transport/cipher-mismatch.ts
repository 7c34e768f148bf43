/**
 * RFC 8446 §4.1.1 / RFC 5246 §7.4.1.3: a server that finds no acceptable cipher suite among the client's
 * aborts with alert 40 handshake_failure (or 71 insufficient_security). Mesh clients offer modern AEAD suites
 * (AES-GCM, ChaCha20-Poly1305); a peer restricted to other suites (CBC, CAMELLIA, CCM) shares none.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/cipher-mismatch',
    stage: 'transport',
    severity: 'critical',
    title: 'No cipher suite in common with the peer',
    description: 'The peer refused our ClientHello for lack of a common cipher suite (alert 40 handshake_failure or 71 before any ServerHello).',
    requires: ['handshake'],
    confidence: 0.85,
    citation: 'RFC 8446 §4.1.1; RFC 5246 §7.4.1.3; Istio meshConfig.meshMTLS.cipherSuites',
    explains: [
      { symptom: 'proxy-upstream-handshake', weight: 0.25, why: 'The proxy and its upstream share no cipher suite (proxy_ssl_ciphers).' },
      { symptom: 'alert:40', weight: 0.5, why: 'No cipher suite in common.' },
      { symptom: 'alert:71', weight: 0.8, why: 'The ciphers we offer are all below the peer\'s minimum.' },
      { symptom: 'cipher-mismatch', weight: 0.95, why: 'Restricted cipher lists (meshConfig tlsDefaults, a FIPS build, an old client) do not overlap.' },
      { symptom: 'handshake-failed', weight: 0.25, why: 'No common cipher.' },
    ],
    hint: {
      confirm: 'the cipher lists (meshConfig tlsDefaults.cipherSuites, app settings, FIPS) do not overlap',
      next: 'mtls-doctor diagnose --chain cert-chain.pem --key key.pem --peer HOST:PORT',
      fix: 'Allow at least one common ECDHE-AES-GCM suite on both sides.',
      subject: 'peer',
    },
    messages: {
      confirmed:
        '{peer} refused our ClientHello {how}, before any ServerHello. Offered every suite, it chose {cipher} ({version}): the peer accepts only suites outside the default offer of a mesh client (TLS 1.3 AES-GCM/ChaCha20 and TLS 1.2 ECDHE with AES-GCM). Its cipher list is too narrow, or the client\'s was narrowed (meshConfig.meshMTLS.cipherSuites, DestinationRule/Gateway cipherSuites).',
      unconfirmed:
        '{peer} refused our ClientHello {how}, before any ServerHello, and offering every version and suite did not help. Something else in the hello is unacceptable to it: the key-exchange groups, signature algorithms, the SNI ({sni}) or the ALPN ({alpn}).',
    },
    remediation: [
      'Align the cipher suites: let the peer accept ECDHE-ECDSA/RSA-AES128-GCM-SHA256 and AES256-GCM (TLS 1.2) or enable TLS 1.3 (nginx: ssl_ciphers HIGH:!aNULL; Envoy: remove narrow cipher_suites)',
      'If the mesh restricts suites on purpose (meshConfig.meshMTLS.cipherSuites), include one the peer supports',
    ],
    verify: 'openssl s_client -connect {peer} -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -tls1_2 </dev/null',
  },
  check(ctx) {
    const probe = ctx.facts.probe!;
    const h = probe.primary;
    const o = h.outcome;
    const early =
      (o.kind === 'alert-received' && [40, 47, 71].includes(o.alert) && o.phase === 'before-server-hello') ||
      (o.kind === 'alert-sent' && o.alert !== 70) ||
      (o.kind === 'tls-error' && /CIPHER/.test(o.code));
    if (!early) return;
    const wide = probe.wide;
    const wideVersion = wide?.negotiated?.version ?? null;
    // An old-version peer is the version rule's finding.
    if (wideVersion && /^(SSLv3|TLSv1|TLSv1\.1)$/.test(wideVersion)) return;
    const how = o.kind === 'alert-received' || o.kind === 'alert-sent' ? `with alert ${o.alert} ${o.name}` : `(${o.code})`;
    const evidence = [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `default suites offered; ${how}` }];
    if (wide) evidence.push({ source: `probe wide → ${h.peer}`, detail: wide.negotiated ? `every suite offered: negotiated ${wide.negotiated.version} ${wide.negotiated.cipher}` : `every suite offered: still failed (${wide.outcome.kind})` });
    if (wide?.negotiated) {
      ctx.report({ messageId: 'confirmed', subject: 'peer', data: { peer: h.peer, how, cipher: wide.negotiated.cipher, version: wide.negotiated.version }, evidence });
    } else {
      ctx.report({ messageId: 'unconfirmed', subject: 'peer', confidence: 0.5, data: { peer: h.peer, how, sni: h.sni ?? 'none', alpn: h.alpnOffered.join(', ') || 'none' }, evidence });
    }
  },
});
