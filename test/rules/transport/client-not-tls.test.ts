import rule from '../../../rules/transport/client-not-tls.js';
import { testRule } from '../../support/rule-tester.js';
import { NOW } from '../../support/pki.js';
import { evidenceWithProxy } from '../../support/fake-envoy-admin.js';

const NR = 'listener.0.0.0.0_15006.no_filter_chain_match';
const NR_OUT = 'cluster.outbound|9080||reviews.demo.svc.cluster.local.no_filter_chain_match';
const window = (a: number, b: number, name = NR) => evidenceWithProxy({ stats: [{ at: NOW - 10_000, values: { [name]: a } }, { at: NOW, values: { [name]: b } }] });

testRule(rule, {
  valid: [
    { name: 'no plaintext reached the listener in the window', evidence: () => window(3, 3) },
    { name: 'a single stats sample says nothing about now', evidence: () => evidenceWithProxy({ stats: [{ at: NOW, values: { [NR]: 40 } }] }) },
  ],
  invalid: [
    {
      name: 'connections matched no filter chain on the inbound listener during the window',
      evidence: () => window(3, 10),
      errors: [{ messageId: 'plaintext', severity: 'error', subject: 'peer', explanation: /7 connections to listener 0\.0\.0\.0_15006 matched no filter chain in 10s/ }],
    },
  ],
});
