import rule from '../../../rules/chain/verifier-rejects.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, mesh, reencode } from '../../support/pki.js';
import type { EvidenceBundle } from '../../../src/evidence/types.js';
import type { VerifierId } from '../../../src/x509/verifiers.js';

const as = (verifier: VerifierId, ev: EvidenceBundle): EvidenceBundle => ({ ...ev, options: { ...ev.options, verifier } });
const conforming = async () => mesh({ leaf: { eku: ['serverAuth', 'clientAuth'] } });
/** The workload leaf re-signed with a negative serial (two's complement), as some CA tooling emits. */
const negativeSerial = async () => {
  const m = await conforming();
  const leaf = await reencode(m.leaf, { signer: m.inter, mutate: (tbs) => void (tbs.serialNumber = new Uint8Array([0xfe, 0x12, 0x34]).buffer) });
  return evidenceFor({ chain: [leaf, m.inter], trust: [m.root] });
};
const noAki = async () => {
  const m = await mesh({ leaf: { eku: ['serverAuth', 'clientAuth'], noAki: true } });
  return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
};

/** Both at once: a leaf without AKI (only strict rejects it) re-signed with a negative serial (Go rejects it). */
const noAkiNegativeSerial = async () => {
  const m = await mesh({ leaf: { eku: ['serverAuth', 'clientAuth'], noAki: true } });
  const leaf = await reencode(m.leaf, { signer: m.inter, mutate: (tbs) => void (tbs.serialNumber = new Uint8Array([0xfe, 0x12, 0x34]).buffer) });
  return evidenceFor({ chain: [leaf, m.inter], trust: [m.root] });
};

testRule(rule, {
  valid: [
    { name: 'conforming mesh chain (envoy)', evidence: async () => { const m = await conforming(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'conforming mesh chain (strict)', evidence: async () => { const m = await conforming(); return as('strict', await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] })); } },
    { name: 'conforming mesh chain (go)', evidence: async () => { const m = await conforming(); return as('go', await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] })); } },
  ],
  invalid: [
    {
      name: 'serial-negative under go: an error naming Go and parser.go',
      evidence: async () => as('go', await negativeSerial()),
      errors: [{ messageId: 'rejected', severity: 'error', explanation: /negative serial number\. Go \(crypto\/x509\) rejects it \(golang\/go src\/crypto\/x509\/parser\.go parseCertificate\(\)/ }],
    },
    {
      name: 'serial-negative under envoy: a warning naming Go, Envoy accepting it with the BoringSSL source',
      evidence: negativeSerial,
      errors: [{ messageId: 'acceptedHere', severity: 'warning', explanation: /Envoy \(BoringSSL\) accepts it \(google\/boringssl crypto\/x509\/x_x509\.cc .*but Go \(crypto\/x509\) and strict/ }],
    },
    {
      name: 'leaf without AKI under strict: an error',
      evidence: async () => as('strict', await noAki()),
      errors: [{ messageId: 'rejected', severity: 'error', explanation: /has no authorityKeyIdentifier keyIdentifier\. strict/ }],
    },
    {
      name: 'leaf without AKI under ztunnel: a note that only strict verifiers reject it',
      evidence: async () => as('ztunnel', await noAki()),
      errors: [{ messageId: 'acceptedHere', severity: 'info', explanation: /ztunnel \(rustls-webpki\) accepts it .*but strict \(RFC 5280 \+ CA\/B Forum\) reject/ }],
    },
    {
      name: 'two objections to one leaf under envoy: one warning (the worse grade) listing both, each verifier once',
      evidence: noAkiNegativeSerial,
      errors: [
        {
          messageId: 'acceptedHere',
          severity: 'warning',
          explanation:
            /has a negative serial number and has no authorityKeyIdentifier keyIdentifier\. Envoy \(BoringSSL\) accepts them \(negative serial number: .*; certificate without an authority key identifier: .*\), but strict \(RFC 5280 \+ CA\/B Forum\) rejects them; Go \(crypto\/x509\) rejects negative serial number and accepts the rest; ztunnel \(rustls-webpki\) accepts them\.$/,
        },
      ],
    },
    {
      name: 'two objections to one leaf under go: an error for the one Go rejects, the other named as accepted',
      evidence: async () => as('go', await noAkiNegativeSerial()),
      errors: [{ messageId: 'rejected', severity: 'error', explanation: /Go \(crypto\/x509\) rejects negative serial number \(golang\/go src\/crypto\/x509\/parser\.go .*\) and accepts certificate without an authority key identifier \(/ }],
    },
  ],
});
