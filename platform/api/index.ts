export { createApp, DEFAULT_BODY_LIMIT, type App, type AppDeps } from './app.ts';
export { answerClientErrors, MAX_HEADER_BYTES } from './client-errors.ts';
export { schemaName } from './openapi.ts';
