/**
 * Verifiers look up an issuer by subject name. With two CA certificates of one subject in a trust bundle,
 * BoringSSL may pick the wrong one: envoyproxy/envoy#38302 (an expired and a renewed CA with the same subject;
 * Envoy used the expired one while /certs listed only the valid one), #18510 (an expired cross-sign chosen).
 * Mid-rotation bundles with two roots of one subject and different keys depend on key-identifier matching.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { bundleFile, describe, iso, validityEvidence } from '../_kit/index.js';
import type { CertFact } from '../../src/x509/types.js';

const SUBJECT_OF_BUNDLE: Record<string, string> = { trust: 'local', peerTrust: 'peer', ca: 'ca' };

export default defineRule({
  meta: {
    id: 'chain/trust-bundle-duplicate-subject',
    stage: 'chain',
    severity: 'warning',
    title: 'Trust bundle holds two CA certificates with the same subject',
    description: 'A trust bundle (or the CA material) holds two or more CA certificates with one subject but different keys or validity dates; a verifier that picks by subject may take the wrong (expired) one.',
    requires: ['trust'],
    confidence: 0.8,
    citation: 'RFC 5280 §6.1 (issuer lookup by name); envoyproxy/envoy#38302',
    explains: [
      { symptom: 'verify:expired-ca', weight: 0.35, why: 'A renewed CA exists, but the bundle also holds the expired one with the same subject and BoringSSL picked it (envoy#38302).' },
      { symptom: 'verify:expired-upper', weight: 0.45, why: 'The bundle holds an expired and a valid CA with one subject and the verifier chose the expired one (envoy#18510, #38302).' },
      { symptom: 'verify:same-name-other-key', weight: 0.5, why: 'The trust bundle holds two CAs with this name and different keys; the verifier tried the wrong one.' },
    ],
    hint: {
      confirm: 'the trust bundle holds two CA certificates with one subject but different keys or Not After dates',
      next: 'openssl crl2pkcs7 -nocrl -certfile root-cert.pem | openssl pkcs7 -print_certs -noout | grep subject= | sort | uniq -d',
      fix: 'Remove the expired or superseded CA certificate from the bundle.',
    },
    messages: {
      expiredTwin:
        'Bundle {bundle} holds {count} certificates with subject "{subject}": {expired} expired, {valid} still valid. BoringSSL (Envoy) looks issuers up by subject and may pick the expired one, failing verification with "certificate has expired" although a valid CA is present; /certs shows only the first CA of a bundle, so this stays hidden there.',
      differentKeys:
        'Bundle {bundle} holds {count} certificates with subject "{subject}" and {keys} different keys (valid until {dates}). This is typical mid-rotation; it works only while every certificate names its issuer by key identifier (AKI). A verifier matching by name alone tries one of them and may fail with a signature error.',
      reissued:
        'Bundle {bundle} holds {count} copies of CA "{subject}" with the same key but different dates (valid until {dates}). Harmless while all are valid; remove the superseded one before it expires.',
    },
    remediation: [
      'Remove the expired or superseded certificate from the bundle (Istio: root-cert.pem in the cacerts Secret, meshConfig.caCertificates, or the trust bundle your CA publishes), then let the istio-ca-root-cert ConfigMap and the ROOTCA secrets refresh',
      'When re-issuing a CA with a new key, give it a distinct subject (e.g. a generation in the CN) so verifiers cannot confuse the two',
    ],
    verify: '{fetch}openssl crl2pkcs7 -nocrl -certfile {file} | openssl pkcs7 -print_certs -noout | grep subject= | sort | uniq -d  # prints nothing when fixed',
  },
  check(ctx) {
    for (const bundle of Object.values(ctx.facts.bundles)) {
      if (bundle.name === 'peerTrust' && ctx.facts.peerTrustAssumed) continue;
      const groups = new Map<string, CertFact[]>();
      for (const c of bundle.certs) {
        const list = groups.get(c.subjectKey) ?? [];
        if (!list.some((x) => x.fingerprint === c.fingerprint)) list.push(c);
        groups.set(c.subjectKey, list);
      }
      for (const [key, certs] of groups) {
        if (certs.length < 2) continue;
        const expired = certs.filter((c) => ctx.now > c.notAfter);
        const valid = certs.filter((c) => ctx.now <= c.notAfter);
        const keys = new Set(certs.map((c) => c.spkiSha256)).size;
        const datesDiffer = new Set(certs.map((c) => `${c.notBefore}-${c.notAfter}`)).size > 1;
        if (keys === 1 && !datesDiffer) continue;
        const data = {
          bundle: `${bundle.name} (${bundle.source})`,
          subject: certs[0]!.subject || certs[0]!.name,
          count: certs.length,
          expired: expired.length,
          valid: valid.length,
          keys,
          dates: certs.map((c) => iso(c.notAfter)).join(', '),
          ...bundleFile(bundle, 'bundle.pem'),
          certs: certs.map(describe).join('; '),
        };
        const messageId = expired.length > 0 && valid.length > 0 ? 'expiredTwin' : keys > 1 ? 'differentKeys' : 'reissued';
        ctx.report({
          messageId,
          subject: SUBJECT_OF_BUNDLE[bundle.name] ?? bundle.name,
          about: `${bundle.name}:${key}`,
          severity: messageId === 'expiredTwin' ? 'error' : messageId === 'differentKeys' ? 'warning' : 'info',
          data,
          evidence: certs.map((c) => validityEvidence(c, ctx.now)),
        });
      }
    }
  },
});
