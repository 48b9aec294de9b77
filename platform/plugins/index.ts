export {
  definePlugin,
  type PluginDefinition,
  type PluginContext,
  type PluginRecords,
  type PluginMetadata,
  type BeforeEvent,
  type BeforeBatchEvent,
  type BatchOutcome,
  type AfterEvent,
  type ObjectHooks,
  type PluginHooks,
  type PluginAction,
  type PluginJob,
  type PluginRouteEnv,
  type PluginRoute,
  type RouteAccess,
  type RouteQueryParameter,
} from './sdk.ts';
export type { AppEnv } from './env.ts';
export { createPluginHost, type PluginHost, type PluginHostOptions } from './host.ts';
export type { ShippedWorkflows } from './lifecycle.ts';
export { discoverPlugins } from './discover.ts';
export { readPluginDir, checkManifest, type PluginManifest, type PluginPackage } from './manifest.ts';
export { KIZUNA_VERSION, orderPlugins, dependencyProblems } from './order.ts';
// Problems a plugin raises from hooks and routes reach clients as they are.
export { badRequest, conflict, forbidden, notFound, validation, ProblemError } from '../problems/index.ts';
