/**
 * A certificate whose names have nothing in common with the name dialled was not issued for that service at all:
 * another server answered. Go's "x509: certificate is valid for A, B, not X" then names a routing fault — a port
 * shared with another process (on EKS Fargate the node's kubelet owns 10250, so the kubelet answers for a webhook
 * that listens there), a Service whose targetPort reaches the wrong container, an intercepting proxy — not a
 * certificate to re-issue. RFC 6125 §6.4 matching fails either way; what differs is that no name is even close.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { namesRelated } from '../../src/model/names.js';

export default defineRule({
  meta: {
    id: 'transport/unexpected-server',
    stage: 'transport',
    severity: 'error',
    title: 'Another server answered: its certificate names unrelated hosts',
    description: 'The certificate the peer presented names no host related to the one dialled (no shared domain): the connection reached a different server (a port shared with another process, a wrong targetPort, a proxy), not a mis-issued certificate.',
    requires: ['handshake', 'chain'],
    confidence: 0.7,
    citation: 'RFC 6125 §6.4 (DNS-ID matching); Kubernetes Service targetPort; EKS Fargate (the kubelet listens on 10250 in each microVM)',
    explains: [
      { symptom: 'verify:san-foreign', weight: 0.8, why: 'The names in the certificate are not the dialled host or any of its domain: a different server answered on that address and port.' },
      { symptom: 'verify:san', weight: 0.2, why: 'A name mismatch can also mean the wrong server answered.' },
    ],
    hint: {
      confirm: "the certificate served on that address and port belongs to another service (its subject and SANs name a node, the API server or another host), not a mis-issued one",
      next: "openssl s_client -connect HOST:PORT -servername NAME </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName",
      fix: 'Send the traffic to the right server: a port no other process owns (webhook.securePort 10260 on Fargate), the right Service targetPort, no proxy in between; then check the certificate again.',
      subject: 'peer',
    },
    messages: {
      foreign: '{peer} presented a certificate for {names}, none of them related to {host}: another server answered on that address and port (a port shared with another process, a Service targetPort reaching the wrong container, a proxy), so re-issuing a certificate would not help.',
    },
    remediation: [
      'Find who owns {peer}: kubectl get endpoints and the pod\'s containerPort for the Service; on EKS Fargate move the webhook off 10250 (webhook.securePort=10260)',
      'Probe again once the right server answers: mtls-doctor diagnose --peer {peer}',
    ],
    verify: 'openssl s_client -connect {peer} </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName',
  },
  applies: (ctx) => ctx.facts.chains.some((c) => c.subject === 'peer'),
  check(ctx) {
    const h = ctx.facts.probe!.primary;
    const host = (h.sni ?? h.peer.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')).toLowerCase();
    if (/^[\d.]+$|:/.test(host)) return; // dialled by address: no name to relate
    const leaf = ctx.facts.chains.find((c) => c.subject === 'peer')!.leaf;
    const names = leaf.sans.filter((s) => s.type === 'dns').map((s) => s.value.toLowerCase());
    if (names.length === 0 || names.some((n) => namesRelated(n, host))) return;
    ctx.report({
      messageId: 'foreign',
      subject: 'peer',
      data: { peer: h.peer, host, names: names.slice(0, 4).join(', ') + (names.length > 4 ? ` (+${names.length - 4})` : '') },
      evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `served leaf ${leaf.subject}: DNS SANs ${names.join(', ')}` }],
    });
  },
});
