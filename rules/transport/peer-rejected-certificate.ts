/**
 * The catch-all for "the peer rejected our certificate" when nothing in our own evidence explains why: our
 * chain is in date, anchored in the trust bundle we believe the peer uses, carries the right identity and key
 * usage. Then the reason is on the peer's side (its trust bundle, clock, SAN matcher or policy), and the
 * alert says where to look (Envoy's SSL_alert_from_verify_result: 45 expiry, 48 unknown CA, 43 purpose,
 * 42/46 generic or SAN matcher).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { diagnoseFileFlags } from '../_kit/index.js';

const withFlags = (f: Parameters<typeof diagnoseFileFlags>[0]) => {
  const flags = diagnoseFileFlags(f);
  return flags ? ` ${flags}` : '';
};

const CERT_STAGES = new Set(['expiry', 'chain', 'san', 'key-usage']);

/** What to look at on the peer's side, by the way it rejected us. */
const LOOK: Record<string, string> = {
  'alert:48':
    'the peer does not trust the CA that issued our certificate: its trust bundle (ROOTCA) lacks our root. Compare roots: istioctl proxy-config secret PEER-POD -o json (ROOTCA), or give the peer\'s bundle with --peer-trust FILE so the chain rules can say exactly what is missing',
  'alert:45':
    'the peer finds our certificate (or its issuer) expired or not yet valid, though it is in date here: the peer\'s clock is off (date -u on its node), or it sees another certificate than the one we checked',
  'alert:43': 'the peer refuses our certificate\'s purpose: it checks an extended key usage or key usage ours does not have for this role',
  'alert:42':
    'the peer refused our certificate without saying why (Go and rustls peers answer 42 for most failures): check its logs for the verify error, its SAN/identity checks (DestinationRule subjectAltNames, AuthorizationPolicy principals) and its trust bundle',
  'alert:46':
    'the peer\'s certificate check failed on something other than dates or issuer: with Envoy peers usually the SAN matcher (expected SPIFFE ID / trust domain, trustDomainAliases); check its debug log: istioctl proxy-config log PEER-POD --level connection:debug',
  'alert:51': 'the peer could not verify a signature: our certificate may be signed by another key than the CA certificate of the same name it holds (a re-issued CA)',
  'alert:44': 'the peer considers our certificate revoked (a CRL or OCSP configured on its side)',
  'alert:49': 'the peer denies access: its policy (AuthorizationPolicy, an allow-list of identities) does not admit our identity',
  'http:certificate-error':
    'the peer (nginx) answered 400 "The SSL certificate error": its ssl_client_certificate bundle does not verify our chain, or the depth/date check failed. Its error log names the reason ("client SSL certificate verify error: …")',
};
/** What an alert means from a stack that sends it for any verification failure. */
const STACK_LOOK: Record<string, string> = {
  'gnutls:alert:49':
    'GnuTLS answers every failed verification with 49 access_denied, so the alert does not say which check failed: its log (gnutls-serv / the application\'s verify callback) names it; compare its CA file with our root and its clock with ours',
  'go:alert:42':
    'Go crypto/tls answers every failed verification (and a missing certificate) with 42 bad_certificate: the peer\'s log line "tls: failed to verify certificate: x509: …" names the reason; compare its ClientCAs with our root',
  'rustls:alert:40':
    'rustls 0.20 answers every certificate it rejects with 40 handshake_failure ("certificate invalid"): its log names the webpki error (UnknownIssuer, CertExpired, RequiredEkuNotFound…); compare its client-certificate roots with ours',
};

/** What the peer's CertificateRequest said about the CAs it accepts, when that helps. */
function acceptedCasNote(f: { probe: { acceptedCas: { names: Array<{ short: string; key: string }> } | null } | null; chains: Array<{ subject: string; path: Array<{ subjectKey: string; issuerKey: string }> }> }): string {
  const cas = f.probe?.acceptedCas;
  if (!cas) return '';
  if (cas.names.length === 0) return ' The peer asked for a client certificate but named no CA it accepts (BoringSSL and Envoy name none by default), so which roots it trusts is not shown.';
  const chain = f.chains.find((c) => c.subject === 'local');
  const keys = chain ? [...chain.path.map((c) => c.subjectKey), chain.path[chain.path.length - 1]!.issuerKey] : [];
  const hit = cas.names.find((n) => keys.includes(n.key));
  return hit ? ` The peer accepts client certificates issued under "${hit.short}", and ours chain to it: trust is not what it refused.` : '';
}

const DEFAULT_LOOK =
  'the peer dropped the connection after seeing our certificate, without an alert or an answer: its logs hold the reason (node:tls servers close silently on a rejected client certificate); check its trust bundle and identity checks';

export default defineRule({
  meta: {
    id: 'transport/peer-rejected-certificate',
    stage: 'transport',
    severity: 'critical',
    title: 'Peer rejected our certificate for a reason our evidence does not show',
    description: 'The peer rejected the certificate we presented, and nothing in our own chain, trust bundle, identity or key usage explains it: the cause is on the peer\'s side.',
    requires: ['handshake', 'local-chain'],
    confidence: 0.7,
    catchAll: true,
    explains: [
      { symptom: 'alert:46', weight: 0.5, why: 'Otherwise the reason is only in the peer\'s own log.' },
      { symptom: 'alert:42', weight: 0.55, why: 'The alert does not say why; the peer\'s log does.' },
      { symptom: 'alert:49', weight: 0.6, why: 'The peer\'s policy refuses our identity; its log says which rule.' },
      { symptom: 'alert:44', weight: 0.4, why: 'Which CRL, and which certificate, only the peer\'s configuration says.' },
      { symptom: 'alert:other-cert', weight: 0.6, why: 'The alert does not say why; the peer\'s own log does.' },
      { symptom: 'alert:other', weight: 0.35, why: 'The reason is on the peer\'s side; read its log.' },
      { symptom: 'upstream-connect-failure', weight: 0.46, why: 'TLS failed and Envoy recorded no reason ("-"): the peer\'s log holds it (istio#17139).' },
      { symptom: 'upstream-terminated', weight: 0.45, why: 'The server rejected our certificate and closed; its log has the alert (fail_verify_error, TLS_error).' },
      { symptom: 'reset', weight: 0.4, why: 'TLS 1.3 servers may reject our certificate after the handshake and just close.', context: 'tls' },
      { symptom: 'handshake-failed', weight: 0.4, why: 'The peer rejected our certificate; its log has the reason.' },
      { symptom: 'probe:peer-rejected', weight: 0.6, why: 'The peer refused the certificate we presented; when our own evidence shows nothing wrong, its reason is on its side.' },
      { symptom: 'envoy:outbound.connection_error', weight: 0.6, why: 'Outbound TLS failing on the server side: it sent an alert, most often rejecting our certificate.' },
      { symptom: 'probe:go-bad-certificate', weight: 0.5, why: 'Go sends 42 for any verification failure; when our evidence shows none, the peer\'s log (tls: failed to verify certificate: …) names it.' },
      { symptom: 'probe:rustls-handshake-failure', weight: 0.5, why: 'rustls 0.20 sends 40 for any certificate it rejects; when our evidence shows none, the peer\'s log names it.' },
      { symptom: 'probe:gnutls-access-denied', weight: 0.5, why: 'GnuTLS sends 49 for any verification failure; when our evidence shows none, the peer\'s log names it.' },
    ],
    hint: {
      confirm: 'the peer\'s proxy logs a verify failure (verify cert failed: …) or counts ssl.fail_verify_error for our connection',
      next: 'istioctl proxy-config log PEER_POD -n NS --level connection:debug && kubectl logs PEER_POD -n NS -c istio-proxy | grep -E \'verify cert failed|TLS_error\'',
      fix: 'Fix what the peer\'s log names; with our chain in hand, run mtls-doctor diagnose --chain cert-chain.pem --peer-trust PEER_ROOT.pem.',
      subject: 'local',
    },
    messages: {
      rejected:
        '{peer} rejected the certificate we presented: {how}{stack}. Our chain checks out against everything we know (dates, issuer and trust, identity, key usage){assumed}.{cas} So look at the peer: {look}.',
    },
    remediation: [
      'Compare what the peer trusts with what issued our certificate: istioctl proxy-config secret PEER-POD -n NAMESPACE (ROOTCA serial vs our root)',
      'Read the peer\'s own view of the failure: istioctl proxy-config log PEER-POD --level connection:debug, then look for "verify cert failed" / "TLS error" in kubectl logs PEER-POD -c istio-proxy',
    ],
    verify: 'mtls-doctor diagnose --peer {peer}{files}',
  },
  check(ctx) {
    const probe = ctx.facts.probe!;
    const rejection = probe.rejection;
    if (!rejection) return;
    const symptom = ctx.facts.symptoms.find((s) => s.source === 'probe' && s.rejectedBy === 'peer' && s.code === rejection.code);
    // An earlier finding about our own certificates that explains this rejection is the answer; stay silent.
    const explained = ctx.earlierFindings().some(
      (f) => CERT_STAGES.has(f.stage) && f.subject !== 'peer' && f.causedBy === null && (f.severity === 'critical' || f.severity === 'error') && (!symptom || ctx.explains(f.rule, symptom)),
    );
    if (explained) return;
    ctx.report({
      messageId: 'rejected',
      subject: 'local',
      data: {
        peer: probe.peer,
        // The peer's own bundle is what to add: the user has not given one when the peer is assumed to trust ours.
        files: withFlags(ctx.facts) + (ctx.facts.peerTrustAssumed ? ' --peer-trust PEER-ROOT-CERT.pem' : ''),
        how: rejection.how,
        stack: probe.stack ? `, from a ${probe.stack.label} peer (told from ${probe.stack.from[0]})` : '',
        cas: acceptedCasNote(ctx.facts),
        look: (probe.stack && STACK_LOOK[`${probe.stack.name}:${rejection.code}`]) ?? LOOK[rejection.code] ?? DEFAULT_LOOK,
        assumed: ctx.facts.peerTrustAssumed ? ' — assuming the peer trusts what we trust (no --peer-trust was given), which is exactly what may be wrong' : '',
      },
      evidence: [{ source: `probe workload → ${probe.peer}`, detail: `presented our chain; peer answered ${rejection.how}` }],
    });
  },
});
