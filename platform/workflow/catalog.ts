// What the designer's palette offers: every trigger and step type with the JSON Schema of its
// settings — read from the same meta-schema the server validates definitions with, so the
// two cannot drift — plus one entry per enabled plugin's workflow action.
import { loadMetaSchema } from '../model/index.ts';
import type { StepType, TriggerType } from './definition.ts';
import type { WorkflowActions } from './steps.ts';

type Schema = Record<string, unknown>;
type Label = { en: string; ja: string };

export interface CatalogTrigger {
  type: TriggerType;
  label: Label;
  config_schema: Schema;
}

export interface CatalogStep {
  type: StepType;
  label: Label;
  description?: Label;
  category: 'logic' | 'records' | 'people' | 'messages' | 'time' | 'external' | 'plugins';
  config_schema: Schema;
  /** Named exits: a list, "cases" (one per case name plus default), or null (only next). */
  branches: string[] | 'cases' | null;
  output_schema?: Schema;
  plugin?: string;
  action?: string;
}

export interface Catalog {
  triggers: CatalogTrigger[];
  steps: CatalogStep[];
}

const meta = loadMetaSchema('workflow.schema.json') as { $defs: Record<string, Schema> };
const defs = meta.$defs;

/** A copy with local `#/$defs/...` references replaced by what they name (the result stands alone). */
function inline(schema: unknown, depth = 0): unknown {
  if (depth > 30 || !schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => inline(s, depth + 1));
  const o = schema as Schema;
  if (typeof o.$ref === 'string' && o.$ref.startsWith('#/$defs/')) {
    const { $ref, ...rest } = o;
    return { ...(inline(defs[($ref as string).slice(8)], depth + 1) as Schema), ...(inline(rest, depth + 1) as Schema) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, inline(v, depth + 1)]));
}

/** The config schema the meta-schema applies to a step of this type (its if/then rule). */
export function stepConfigSchema(type: string): Schema {
  const rules = (defs.step.allOf ?? []) as { if: { properties: { type: { const: string } } }; then: { properties: { config: Schema } } }[];
  const rule = rules.find((r) => r.if.properties.type.const === type);
  return inline(rule?.then.properties.config ?? { type: 'object' }) as Schema;
}

const obj = (properties: Schema, required: string[] = []): Schema => ({ type: 'object', properties, ...(required.length && { required }) });
const recordOut = obj({ record: { type: 'object', description: 'The record as written' } });

const STEPS: Record<Exclude<StepType, 'action'>, Omit<CatalogStep, 'type' | 'config_schema'>> = {
  condition: {
    label: { en: 'Condition', ja: '条件分岐' },
    category: 'logic',
    branches: ['true', 'false'],
    description: {
      en: 'Goes one way or the other by a filter over the record, earlier steps and variables',
      ja: 'レコード・前のステップ・変数に対する条件で分岐します',
    },
    output_schema: obj({ result: { type: 'boolean' } }),
  },
  branch: {
    label: { en: 'Multi-way branch', ja: '多分岐' },
    category: 'logic',
    branches: 'cases',
    description: { en: 'The first case whose filter matches, else default', ja: '最初に一致したケースへ（なければ default）' },
    output_schema: obj({ case: { type: 'string' } }),
  },
  update_record: {
    label: { en: 'Update record', ja: 'レコード更新' },
    category: 'records',
    branches: null,
    description: {
      en: 'Changes fields of the trigger record or another one',
      ja: 'トリガーのレコード（または指定のレコード）の項目を変更します',
    },
    output_schema: recordOut,
  },
  create_record: {
    label: { en: 'Create record', ja: 'レコード作成' },
    category: 'records',
    branches: null,
    description: { en: 'Creates a record of any object', ja: '任意のオブジェクトのレコードを作成します' },
    output_schema: recordOut,
  },
  find_records: {
    label: { en: 'Find records', ja: 'レコード検索' },
    category: 'records',
    branches: null,
    description: {
      en: 'Records matching a filter, for later steps and loops',
      ja: '条件に合うレコードを探し、後のステップやループで使います',
    },
    output_schema: obj({ records: { type: 'array', items: { type: 'object' } }, count: { type: 'integer' } }),
  },
  loop: {
    label: { en: 'Loop', ja: 'ループ' },
    category: 'logic',
    branches: ['body'],
    description: {
      en: 'Runs the body once per item of a list ({{loop.item}}), then continues with next',
      ja: 'リストの項目ごとに本体を実行し（{{loop.item}}）、その後 next へ進みます',
    },
    output_schema: obj({ index: { type: 'integer' }, item: {}, count: { type: 'integer' } }),
  },
  assign: {
    label: { en: 'Assign', ja: '割り当て' },
    category: 'people',
    branches: null,
    description: {
      en: "Round-robin or least-loaded among a team's active members",
      ja: 'チームの有効なメンバーにラウンドロビンまたは最少負荷で割り当てます',
    },
    output_schema: obj({ user_id: { type: 'string', format: 'uuid' }, record: { type: 'object' } }),
  },
  send_message: {
    label: { en: 'Send message', ja: 'メッセージ送信' },
    category: 'messages',
    branches: null,
    description: { en: 'Writes a message record and sends it by email', ja: 'メッセージレコードを作成し、メールで送信します' },
    output_schema: obj({ record: { type: 'object' }, recipients: { type: 'array', items: { type: 'string' } }, sent: { type: 'boolean' } }),
  },
  wait: {
    label: { en: 'Wait', ja: '待機' },
    category: 'time',
    branches: null,
    description: {
      en: 'For a duration, until a date, or until a condition holds',
      ja: '一定時間、日時まで、または条件が満たされるまで待ちます',
    },
    output_schema: obj({ until: { type: ['string', 'null'] }, met: { type: 'boolean' } }),
  },
  http: {
    label: { en: 'HTTP request', ja: 'HTTPリクエスト' },
    category: 'external',
    branches: null,
    description: { en: 'Calls an allowed host (KIZUNA_WORKFLOW_HTTP_HOSTS)', ja: '許可されたホストを呼び出します' },
    output_schema: obj({ status: { type: 'integer' }, body: {} }),
  },
};

const TRIGGERS: [TriggerType, Label, string[], string[]][] = [
  ['record.created', { en: 'Record created', ja: 'レコード作成時' }, ['object', 'condition'], ['object']],
  ['record.updated', { en: 'Record updated', ja: 'レコード更新時' }, ['object', 'fields', 'condition'], ['object']],
  ['record.deleted', { en: 'Record deleted', ja: 'レコード削除時' }, ['object'], ['object']],
  [
    'record.date',
    { en: 'Date reached (relative to a date field)', ja: '日付項目の日時（前後）' },
    ['object', 'field', 'offset', 'condition'],
    ['object', 'field'],
  ],
  ['manual', { en: 'Manual (button on a record or list)', ja: '手動（レコード・一覧のボタン）' }, ['object', 'input_schema'], []],
  ['schedule', { en: 'Schedule', ja: 'スケジュール' }, ['every_minutes', 'cron', 'timezone'], []],
  ['webhook', { en: 'Inbound webhook', ja: '受信Webhook' }, [], []],
];

export function buildCatalog(actions?: WorkflowActions): Catalog {
  const triggerProps = (defs.trigger.properties ?? {}) as Record<string, unknown>;
  const triggers = TRIGGERS.map(([type, label, keys, required]) => ({
    type,
    label,
    config_schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { const: type },
        ...Object.fromEntries(keys.map((k) => [k, inline(triggerProps[k])])),
        ui: inline(triggerProps.ui),
      },
      required: ['type', ...required],
      ...(type === 'schedule' && { oneOf: [{ required: ['every_minutes'] }, { required: ['cron'] }] }),
    },
  }));
  const steps: CatalogStep[] = (Object.keys(STEPS) as (keyof typeof STEPS)[]).map((type) => ({
    type,
    ...STEPS[type],
    config_schema: stepConfigSchema(type),
  }));
  const base = stepConfigSchema('action') as { properties: Record<string, unknown> };
  for (const a of actions?.list?.() ?? []) {
    steps.push({
      type: 'action',
      label: a.title,
      ...(a.description && { description: a.description }),
      category: 'plugins',
      branches: null,
      plugin: a.plugin,
      action: a.name,
      config_schema: {
        ...base,
        required: ['action'],
        properties: { ...base.properties, action: { const: a.name }, ...(a.config && { config: a.config }) },
      },
      output_schema: obj({ result: a.output ?? {} }),
    });
  }
  return { triggers, steps };
}
