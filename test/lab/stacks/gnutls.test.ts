/** The stack matrix (matrix.ts) against GnuTLS (Debian gnutls-bin): gnutls-serv --require-client-cert --verify-client-cert. */
import { stackMatrix } from './matrix.js';

stackMatrix('gnutls');
