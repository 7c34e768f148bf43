/**
 * RFC 9525 §6: the presented identifier must match the reference identifier. In Istio the client expects the
 * server's SPIFFE ID (service account) from service discovery or DestinationRule subjectAltNames; a
 * certificate for another service account fails with fail_verify_san.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, expectedIds, whose, x509Of } from '../_kit/index.js';
import type { San } from '../../src/x509/types.js';
import { emailMatches, isEmailIdentity } from '../../src/x509/email.js';

/** IPv6 in one canonical text form (lowercase, compressed), so that `2001:DB8:0::5` matches `2001:db8::5`. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

function isIpLiteral(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((o) => Number(o) <= 255);
  if (!s.includes(':')) return false;
  try {
    return new URL(`http://[${s}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function matches(expected: string, sans: San[]): boolean {
  const e = expected.toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(e)) return sans.some((s) => s.type === 'uri' && s.value === expected);
  if (isEmailIdentity(expected)) return sans.some((s) => s.type === 'email' && emailMatches(expected, s.value));
  // RFC 6125 §6.2 / RFC 9525 §6.2: an IP address is matched against iPAddress SANs only; a dNSName that spells
  // an address (a misissuance, RFC 5280 §4.2.1.6) does not count (Go, Envoy's typed IP_ADDRESS matcher).
  if (isIpLiteral(expected)) return sans.some((s) => s.type === 'ip' && canonicalIp(s.value) === canonicalIp(expected));
  return sans.some((s) => {
    if (s.type === 'ip') return canonicalIp(s.value) === canonicalIp(expected);
    if (s.type !== 'dns') return false;
    const v = s.value.toLowerCase();
    if (v === e) return true;
    // RFC 6125 §6.4.3: a wildcard matches one whole left-most label.
    return v.startsWith('*.') && e.includes('.') && e.slice(e.indexOf('.')) === v.slice(1) && e.indexOf('.') > 0;
  });
}

export default defineRule({
  meta: {
    id: 'san/identity-mismatch',
    stage: 'san',
    severity: 'critical',
    title: 'Certificate identity does not match',
    description: 'The leaf does not carry the expected identity (SPIFFE ID, DNS name, IP address, or an RFC 822 email name for a client).',
    requires: ['chain', 'expect-id'],
    reads: ['san/trust-domain-mismatch', 'san/missing'],
    confidence: 0.9,
    citation: 'RFC 9525 §6',
    explains: [
      { symptom: 'verify:san-foreign', weight: 0.45, why: 'Or the certificate was issued for the wrong names (a SAN list that misses this host).' },
      { symptom: 'verify:san', weight: 0.9, why: 'The peer runs as another service account than the one the client expects (redeploy with a new SA, DestinationRule/ServiceEntry subjectAltNames: istio#26324).' },
      { symptom: 'verify:san-trust-domain', weight: 0.6, why: 'Otherwise the service account differs as well.' },
      { symptom: 'verify:no-san', weight: 0.45, why: 'Or the SAN present is for another name.' },
      { symptom: 'verify:failed', weight: 0.5, why: 'Envoy reports a SAN (SPIFFE ID) mismatch as CERTIFICATE_VERIFY_FAILED too (istio#26324).', context: 'mesh' },
      { symptom: 'alert:46', weight: 0.7, why: 'An Envoy peer sends certificate_unknown when our SPIFFE ID is not the one it expects (SAN matcher).' },
      { symptom: 'alert:42', weight: 0.3, why: 'An identity the peer does not accept.' },
      { symptom: 'alert:49', weight: 0.45, why: 'We present another identity than the peer allows.' },
      { symptom: 'envoy:fail_verify_san', weight: 0.8, why: 'Envoy counts a peer whose SAN is not among the expected subjectAltNames.' },
    ],
    hint: {
      confirm: 'the leaf\'s URI SAN (spiffe://TD/ns/NS/sa/SA) differs from the subjectAltNames the client expects',
      next: 'istioctl proxy-config cluster CLIENT_POD -n NS --fqdn SERVICE -o json | grep -A4 -i subjectAltNames',
      fix: 'Run the server under the expected service account, or correct DestinationRule/ServiceEntry subjectAltNames.',
    },
    messages: {
      mismatch: '{whose} leaf {cert} identifies as {actual}, but {expected} is expected. The verifier\'s SAN check fails (Envoy fail_verify_san; Go "x509: certificate is valid for …, not …"). In Istio this is usually the wrong service account: the pod runs as another SA than the one the DestinationRule or the AuthorizationPolicy names.',
      ipInDns: '{whose} leaf {cert} carries {expected} only as a DNS name (dNSName "{expected}"), not as an IP address SAN. An expected IP address is matched against IP address SANs only (RFC 9525 §6.2; RFC 5280 §4.2.1.6 forbids addresses in dNSName), so the verifier\'s SAN check fails (Envoy fail_verify_san; Go "x509: cannot validate certificate for {expected} because it doesn\'t contain any IP SANs"). Re-issue it with an IP SAN (cert-manager: spec.ipAddresses).',
    },
    remediation: [
      'Check the pod\'s service account: kubectl get pod POD -n NS -o jsonpath="{.spec.serviceAccountName}"',
      'Either run the workload under the expected service account, or fix the expected identity (DestinationRule tls.subjectAltNames, ServiceEntry subjectAltNames)',
    ],
    verify: '{x509} -noout -ext subjectAltName',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      if (!chain.expectedId) continue;
      // A different trust domain is reported by san/trust-domain-mismatch; do not report it twice.
      if (ctx.earlier('san/trust-domain-mismatch', chain.leaf.fingerprint)) continue;
      // Several expected identities (--expect-id repeated): any one of them is enough.
      const wanted = expectedIds(ctx.facts, chain);
      if (wanted.some((id) => matches(id, chain.leaf.sans))) continue;
      const actual = chain.leaf.sans.map((s) => s.value).join(', ') || '(no SAN)';
      const ipAsDns = isIpLiteral(chain.expectedId) && chain.leaf.sans.some((s) => s.type === 'dns' && s.value === chain.expectedId);
      ctx.report({
        messageId: ipAsDns ? 'ipInDns' : 'mismatch',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        causedBy: ctx.earlier('san/missing', chain.leaf.fingerprint) ? 'san/missing' : null,
        data: { whose: whose(chain), cert: describe(chain.leaf), actual, expected: wanted.join(' or '), x509: x509Of(chain.leaf) },
        evidence: [
          { source: chain.leaf.source, detail: `subjectAltName: ${chain.leaf.sans.map((s) => `${s.type}:${s.value}`).join(', ') || 'absent'}` },
          { source: wanted.length > 1 ? 'expected identities (any one)' : 'expected identity', detail: wanted.join(', ') },
        ],
      });
    }
  },
});
