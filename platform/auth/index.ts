export { createApiKeyStore, newKeySecret, type ApiKeyStore, type ApiKeyView, type Principal } from './api-keys.ts';
export { bootstrapAdmin, type BootstrapResult } from './bootstrap.ts';
