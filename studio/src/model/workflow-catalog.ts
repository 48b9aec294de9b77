// The palette's source: GET /api/workflows/catalog (triggers and steps, plugin actions
// included, each with its config JSON Schema). Until a server offers it, the studio falls
// back to the shared meta-schema (metadata/schema/workflow.schema.json), which names every
// built-in step type and its config schema — only labels and branch names are added here.
import metaSchema from '../../../metadata/schema/workflow.schema.json';
import type { Catalog, CatalogStep, CatalogTrigger, JsonSchema } from './workflow.ts';

type Defs = Record<string, JsonSchema>;

/** A copy of the schema with local `#/$defs/...` references replaced by what they name. */
export function inlineRefs(schema: JsonSchema, defs: Defs, depth = 0): JsonSchema {
  if (depth > 20) return {};
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, defs, depth + 1)) as unknown as JsonSchema;
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/$defs/')) {
    const { $ref, ...rest } = schema;
    return { ...inlineRefs(defs[$ref.slice(8)] ?? {}, defs, depth + 1), ...rest };
  }
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, v && typeof v === 'object' ? inlineRefs(v as JsonSchema, defs, depth + 1) : v]),
  );
}

const FALLBACK_LABELS: Record<string, [string, string, string]> = {
  // type: [en, ja, category]
  'record.created': ['Record created', 'レコード作成時', 'record'],
  'record.updated': ['Record updated', 'レコード更新時', 'record'],
  'record.deleted': ['Record deleted', 'レコード削除時', 'record'],
  manual: ['Manual (button on a record)', '手動（レコードのボタン）', 'manual'],
  schedule: ['Schedule', 'スケジュール', 'time'],
  webhook: ['Inbound webhook', '受信Webhook', 'external'],
  'record.date': ['Date of a record', 'レコードの日付', 'time'],
  loop: ['Loop over a list', 'リストを繰り返す', 'logic'],
  send_message: ['Send message', 'メッセージ送信', 'messages'],
  condition: ['Condition', '条件分岐', 'logic'],
  branch: ['Multi-way branch', '多分岐', 'logic'],
  update_record: ['Update record', 'レコード更新', 'records'],
  create_record: ['Create record', 'レコード作成', 'records'],
  find_records: ['Find records', 'レコード検索', 'records'],
  assign: ['Assign (round-robin)', '割り当て（ラウンドロビン）', 'people'],
  wait: ['Wait', '待機', 'logic'],
  http: ['HTTP request', 'HTTPリクエスト', 'external'],
  action: ['Plugin action', 'プラグインアクション', 'plugins'],
};
const FALLBACK_BRANCHES: Record<string, CatalogStep['branches']> = {
  condition: ['true', 'false'],
  branch: 'cases',
  loop: ['body', 'next'],
};
const FALLBACK_OUTPUTS: Record<string, JsonSchema> = {
  condition: { type: 'object', properties: { result: { type: 'boolean' } } },
  branch: { type: 'object', properties: { case: { type: 'string' } } },
  update_record: { type: 'object', properties: { record: { type: 'object' } } },
  create_record: { type: 'object', properties: { record: { type: 'object' } } },
  find_records: { type: 'object', properties: { records: { type: 'array' }, count: { type: 'integer' } } },
  assign: { type: 'object', properties: { user_id: { type: 'string' } } },
  wait: { type: 'object', properties: { until: { type: 'string' } } },
  http: { type: 'object', properties: { status: { type: 'integer' }, body: {} } },
  action: { type: 'object', properties: { result: {} } },
};

/** Trigger settings by trigger type, read from the meta-schema's trigger properties. */
const TRIGGER_KEYS: Record<string, string[]> = {
  'record.created': ['object', 'condition'],
  'record.updated': ['object', 'fields', 'condition'],
  'record.deleted': ['object', 'condition'],
  'record.date': ['object', 'field', 'offset', 'condition'],
  manual: ['object', 'input_schema'],
  schedule: ['every_minutes', 'cron', 'timezone'],
  webhook: [],
};

export function fallbackCatalog(): Catalog {
  const schema = metaSchema as unknown as JsonSchema & { $defs: Defs };
  const defs = schema.$defs;
  const triggerProps = (defs.trigger.properties ?? {}) as Record<string, JsonSchema>;
  const triggerTypes = (triggerProps.type?.enum ?? []) as string[];
  const triggers: CatalogTrigger[] = triggerTypes.map((type) => {
    const keys = TRIGGER_KEYS[type] ?? [];
    const properties = Object.fromEntries(keys.filter((k) => triggerProps[k]).map((k) => [k, inlineRefs(triggerProps[k], defs)]));
    const required = type.startsWith('record.') ? (type === 'record.date' ? ['object', 'field'] : ['object']) : [];
    const [en, ja] = FALLBACK_LABELS[type] ?? [type, type];
    return { type, label: { en, ja }, config_schema: { type: 'object', properties, required, additionalProperties: false } };
  });
  // Each step type's config schema is the `then` of the meta-schema's if/then on the type.
  const stepDef = defs.step as JsonSchema & { allOf?: { if: JsonSchema; then: JsonSchema }[] };
  const stepTypes = (stepDef.properties?.type?.enum ?? []) as string[];
  const steps: CatalogStep[] = stepTypes.map((type) => {
    const rule = stepDef.allOf?.find((r) => (r.if.properties?.type as JsonSchema | undefined)?.const === type);
    const config = inlineRefs((rule?.then.properties?.config as JsonSchema | undefined) ?? { type: 'object' }, defs);
    const [en, ja, category] = FALLBACK_LABELS[type] ?? [type, type, 'other'];
    return {
      type,
      label: { en, ja },
      category,
      config_schema: config,
      branches: FALLBACK_BRANCHES[type] ?? null,
      output_schema: FALLBACK_OUTPUTS[type],
    };
  });
  return { triggers, steps };
}
