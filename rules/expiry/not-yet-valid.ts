/**
 * RFC 5280 §4.1.2.5: a certificate is not valid before notBefore. Minutes in the future almost always means
 * clock skew between the signer and the verifier (Istio backdates notBefore by 2 minutes for this reason).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence, x509Of } from '../_kit/index.js';
import type { CertFact } from '../../src/x509/types.js';

export default defineRule({
  meta: {
    id: 'expiry/not-yet-valid',
    stage: 'expiry',
    severity: 'critical',
    title: 'Certificate not yet valid',
    description: 'A certificate on the chain has a notBefore date in the future.',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 5280 §4.1.2.5',
    explains: [
      { symptom: 'verify:expired', weight: 0.2, why: 'A verifier whose clock runs ahead also reports a valid certificate as expired: compare its clock.' },
      { symptom: 'verify:not-yet-valid', weight: 0.95, why: 'Not Before is after the verifier\'s clock: clock skew between nodes (NTP), or a certificate issued with a future start.' },
      { symptom: 'verify:failed', weight: 0.2, why: 'Clock skew: the peer\'s certificate starts in this side\'s future.' },
      { symptom: 'alert:45', weight: 0.6, why: 'BoringSSL and OpenSSL send the same alert for "not yet valid": the peer\'s clock may be behind (clock skew).' },
      { symptom: 'alert:42', weight: 0.35, why: 'Clock skew: rustls sends BadCertificate for CertNotValidYet (linkerd2#6427).' },
      { symptom: 'probe:go-bad-certificate', weight: 0.6, why: 'A certificate not valid yet (clock skew) fails Go\'s Verify: Go crypto/tls handshake_server.go processCertsFromClient.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.6, why: 'webpki rejects a certificate not valid yet: rustls 0.20 server/tls13.rs, tls12.rs hs::incompatible.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.6, why: 'GnuTLS rejects a certificate not valid yet: GnuTLS 3.7 lib/handshake.c _gnutls_run_verify_callback.' },
    ],
    hint: {
      confirm: 'the certificate\'s Not Before is after the verifying node\'s clock',
      next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null 2>/dev/null | openssl x509 -noout -dates; date -u',
      fix: 'Fix NTP on the nodes (timedatectl set-ntp true); issue certificates with a backdated Not Before.',
    },
    messages: {
      skew:
        '{cert} is not valid until {notBefore}, {ahead} from now. That is minutes, not days: the clock of the machine that signed it is ahead of the verifier\'s (clock skew). Peers reject it with "certificate is not yet valid" (alert 45/42) until their clocks catch up.',
      future:
        '{cert} is not valid until {notBefore}, {ahead} from now. Peers reject it ("certificate is not yet valid") until then; it was issued with a start date in the future, or this machine\'s clock is far behind.',
    },
    remediation: [
      'Compare clocks on the signing and the verifying nodes: date -u on each (and chronyc tracking / timedatectl), then fix NTP',
      'If the start date is really in the future, re-issue the certificate with notBefore in the past',
    ],
    verify: '{x509} -noout -startdate; date -u',
  },
  check(ctx) {
    const seen = new Set<string>();
    const certs: Array<{ cert: CertFact; subject: string }> = [];
    for (const chain of ctx.facts.chains) for (const cert of chain.path) certs.push({ cert, subject: chain.subject });
    for (const cert of ctx.facts.bundles.ca?.certs ?? []) certs.push({ cert, subject: 'ca' });
    for (const { cert, subject } of certs) {
      if (seen.has(cert.fingerprint) || ctx.now >= cert.notBefore) continue;
      seen.add(cert.fingerprint);
      const ahead = cert.notBefore - ctx.now;
      ctx.report({
        messageId: ahead <= ctx.facts.thresholds.clockSkewMinutes * 60_000 ? 'skew' : 'future',
        subject,
        about: cert.fingerprint,
        data: { cert: describe(cert), notBefore: iso(cert.notBefore), ahead: duration(ahead), x509: x509Of(cert) },
        evidence: [validityEvidence(cert, ctx.now)],
      });
    }
  },
});
