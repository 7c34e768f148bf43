/** The stack matrix (matrix.ts) against rustls 0.20 (Debian librust-rustls-dev): AllowAnyAuthenticatedClient, built offline from test/lab/peers/rustls. */
import { stackMatrix } from './matrix.js';

stackMatrix('rustls');
