/** The exporter reads policy kinds through the library's public `policyKind`. */
export { policyKind } from '../index.js';
export type { PolicyKind } from '../index.js';
