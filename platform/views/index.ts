export { createViewStore, replacePluginViews, type ViewStore, type View, type ViewKind, type ViewCaller } from './store.ts';
