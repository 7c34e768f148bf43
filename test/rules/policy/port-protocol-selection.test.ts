import { describe, expect, it } from 'vitest';
import rule, { selectedProtocol } from '../../../rules/policy/port-protocol-selection.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceWithCluster, pod } from '../../support/cluster-evidence.js';

testRule(rule, {
  valid: [
    { name: 'an http- port on 9080', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], portName: 'http-web' }) },
    { name: 'https on 443: the application terminates TLS and says so', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], peerPort: 443, portName: 'https' }) },
    { name: 'appProtocol tls overrides an http- name', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], peerPort: 8443, portName: 'http-api', appProtocol: 'tls' }) },
    { name: 'a bundle without the port name (older collector) is not judged', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')] }) },
  ],
  invalid: [
    {
      name: 'a port named http on 443, where the application usually terminates TLS itself',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], peerPort: 443, portName: 'http' }),
      errors: [{ messageId: 'httpOnTlsPort', severity: 'warning', subject: 'peer', explanation: /port 443 is declared http \(name "http"\)/ }],
    },
    {
      name: 'an unrecognised name and no appProtocol: Istio sniffs',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], portName: 'web' }),
      errors: [{ messageId: 'undeclared', severity: 'info', explanation: /"web"/ }],
    },
  ],
});

describe('selectedProtocol (istio.io Protocol Selection)', () => {
  it('appProtocol first, then the name prefix before "-", else sniffing', () => {
    expect(selectedProtocol('http-api', 'kubernetes.io/h2c')).toEqual({ protocol: 'h2c', from: 'appProtocol' });
    expect(selectedProtocol('grpc-web-ui', null)).toEqual({ protocol: 'grpc-web', from: 'name' });
    expect(selectedProtocol('tcp', null)).toEqual({ protocol: 'tcp', from: 'name' });
    expect(selectedProtocol('httpforecast', null)).toEqual({ protocol: null, from: 'sniffing' });
  });
});
