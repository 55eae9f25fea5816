/**
 * rx-resilience/config: a registry built from a config object, a YAML or JSON file, or YAML text,
 * with `${ENV}` references and hot reload. A subpath of its own because it reads files (`node:fs`)
 * and parses YAML; the root entry runs in a browser.
 */
export { fromConfig } from '../registry/fromConfig.js';
export type { ChaosEntry, ConfigInput, ConfigRegistry, FromConfigOptions, RateLimitEntry, ResilienceConfig } from '../registry/fromConfig.js';
