import rule from '../../../rules/transport/alpn-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'negotiated without ALPN', evidence: () => withProbe([ok('workload')]) },
    { name: 'another alert', evidence: () => withProbe([alert('workload', 48, 'unknown_ca')]) },
  ],
  invalid: [
    { name: 'the mesh ALPN refused by a non-mesh server', evidence: () => withProbe([alert('workload', 120, 'no_application_protocol', 'before-server-hello')]), errors: [{ messageId: 'mesh', subject: 'peer', explanation: /istio-peer-exchange, istio/ }] },
    {
      name: 'a custom ALPN refused',
      evidence: () => withProbe([hs('workload', { kind: 'alert-received', alert: 120, name: 'no_application_protocol', phase: 'before-server-hello' }, { alpnOffered: ['h2'] })]),
      errors: [{ messageId: 'other', explanation: /\(h2\)/ }],
    },
  ],
});
