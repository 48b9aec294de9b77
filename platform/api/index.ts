export { createApp, DEFAULT_BODY_LIMIT, type App, type AppDeps } from './app.ts';
