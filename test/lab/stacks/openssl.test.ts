/** The stack matrix (matrix.ts) against OpenSSL s_server -Verify -verify_return_error. */
import { stackMatrix } from './matrix.js';

stackMatrix('openssl');
