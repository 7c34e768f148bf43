/**
 * The probe's network edge, injected (CONVENTIONS: transports injected with real defaults). Production uses
 * the system resolver and TCP; tests pass fakes to simulate a resolver failure or an in-memory peer.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProbeTransport {
  /** Resolves a host name to one address (as the workload's resolver would). Rejects with an errno-style code. */
  lookup(host: string): Promise<string>;
  /** Opens a TCP connection; resolves once connected, rejects with an errno-style code (ECONNREFUSED, …). */
  connect(address: string, port: number): Promise<Duplex>;
}

export const defaultTransport: ProbeTransport = {
  async lookup(host) {
    const r = await dnsLookup(host);
    return r.address;
  },
  connect(address, port) {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: address, port, noDelay: true });
      const onError = (e: Error) => {
        s.destroy();
        reject(e);
      };
      s.once('error', onError);
      s.once('connect', () => {
        s.off('error', onError);
        resolve(s);
      });
    });
  },
};
