/** The stack matrix (matrix.ts) against nginx with ssl_verify_client on (refuses in HTTP after the handshake). */
import { stackMatrix } from './matrix.js';

stackMatrix('nginx');
