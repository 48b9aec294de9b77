export { createViewStore, type ViewStore, type View, type ViewKind, type ViewCaller } from './store.ts';
