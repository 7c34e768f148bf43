import rule from '../../../rules/transport/sni-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'the handshake succeeds with the name sent', evidence: () => withProbe([ok('workload')]) },
    { name: 'another alert (unknown_ca) is not about the name', evidence: () => withProbe([alert('workload', 48, 'unknown_ca')]) },
    { name: 'handshake_failure although a name was sent: a cipher or version problem, not SNI', evidence: () => withProbe([alert('workload', 40, 'handshake_failure', 'before-server-hello')]) },
  ],
  invalid: [
    {
      name: 'alert 112 unrecognized_name: no virtual host for the name sent',
      evidence: () => withProbe([alert('workload', 112, 'unrecognized_name', 'before-server-hello')]),
      errors: [{ messageId: 'unrecognized', severity: 'critical', subject: 'local', explanation: /reviews\.bookinfo/ }],
    },
    {
      name: 'handshake_failure before any ServerHello when no SNI was sent (dialled by IP)',
      evidence: () => withProbe([hs('workload', { kind: 'alert-received', alert: 40, name: 'handshake_failure', phase: 'before-server-hello' }, { sni: null })]),
      errors: [{ messageId: 'noSni', explanation: /sent no server name/ }],
    },
  ],
});
