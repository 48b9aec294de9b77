export {
  createRegistry,
  BIG_TABLE_BYTES,
  type Registry,
  type RegistryOptions,
  type MetadataSnapshot,
  type ChangeResult,
  type Mutator,
} from './registry.ts';
export { loadStandardSpecs, installStandardObjects } from './standard.ts';
export * as metaOps from './operations.ts';
