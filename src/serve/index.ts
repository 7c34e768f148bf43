/** `mtls-doctor serve`: load it only with `await import('../serve/index.js')` (it brings prom-client and yaml). */
export { runServe, parseListen } from './run.js';
export { createServe, type ServeHandle } from './server.js';
export { defaultServeDeps, type ServeDeps, type DiagnoseContext } from './deps.js';
export { loadConfig, parseConfig, type ServeConfig } from './config.js';
