export { createRegistry, type Registry, type MetadataSnapshot, type ChangeResult, type Mutator } from './registry.ts';
export { loadStandardSpecs, installStandardObjects } from './standard.ts';
export * as metaOps from './operations.ts';
