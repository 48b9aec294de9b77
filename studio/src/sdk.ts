// What a plugin's studio part may use (`import { api, useMessages } from 'kizuna/studio'`, the
// package's exports): the API client, the metadata, the studio's locale and labels, its own
// messages, what the caller may do (useAccess), refusals in the reader's language
// (problemLine), and the extension API type. Anything else under studio/src may change without notice.
export { api, ApiError, type FieldError } from './api/client.ts';
export { fieldsOf, displayFieldOf, displayFieldsOf, recordTitle, useMetadata } from './composables/useMetadata.ts';
export { useAccess } from './composables/useAccess.ts';
export { useI18n, useMessages, type Locale, type LocalizedText } from './composables/useI18n.ts';
export { problemLine } from './model/problem-types.ts';
export type { StudioExtensionApi } from './model/plugin-loader.ts';
