// Shapes of the few /api answers the placeholder studio reads (see the API contract).
import type { LocalizedText } from '../composables/useI18n.ts';

export interface Health {
  status: string;
  [key: string]: unknown;
}

export interface ObjectDef {
  title?: string;
  'x-kizuna': { name: string; label?: LocalizedText; plural?: string };
  [key: string]: unknown;
}

export interface ObjectList {
  data: ObjectDef[];
}
