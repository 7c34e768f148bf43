/** The stack matrix (matrix.ts) against Go crypto/tls (Debian golang-1.19-go): RequireAndVerifyClientCert, built from test/lab/peers/go. */
import { stackMatrix } from './matrix.js';

stackMatrix('go');
