/** The built-in example (`mtls-doctor demo`): a running broken mesh and the request to diagnose it with. */
export { startExample, type RunningExample } from '../demo/example.js';
