// The metadata API's refusals (designer, field editor, object settings, a plugin's manifest) in the reader's
// language, by the keyword and params the server sends (docs/API.md, "Everywhere") — never by
// reading its English words, which an English reader still sees after an unknown keyword.
import type { FieldError } from '../api/client.ts';
import type { MessageKey } from '../composables/useI18n.ts';
import type { Translate } from './record-checks.ts';

export type MetadataProblem = FieldError;

const SIMPLE: Record<string, MessageKey> = {
  double_underscore: 'meta.doubleUnderscore',
  plugin_only: 'meta.pluginOnly',
  autonumber_format: 'meta.autonumberFormat',
  minimum_above_maximum: 'meta.minimumAboveMaximum',
  default_misfit: 'meta.defaultMisfit',
  display_empty: 'meta.displayEmpty',
  immutable: 'meta.immutable',
  field_order: 'meta.fieldOrder',
  in_use: 'meta.inUse',
  formula: 'meta.readByFormula',
  result_type: 'meta.resultType',
  volatile: 'meta.volatile',
  too_many_formulas: 'meta.tooManyFormulas',
  invalid_json: 'meta.invalidJson',
  unreadable: 'meta.unreadable',
  additionalProperties: 'meta.unknownKey',
  currency_code: 'check.currencyCode',
  enum: 'check.enum',
  type: 'check.type',
  uniqueItems: 'check.uniqueItems',
};

// A formula's refusals name the token at fault (platform/formula): said with it.
const FORMULA: Record<string, MessageKey> = {
  syntax: 'meta.formula.syntax',
  unknown_field: 'meta.formula.unknownField',
  unknown_function: 'meta.formula.unknownFunction',
  type: 'meta.formula.type',
  arity: 'meta.formula.arity',
  cycle: 'meta.formula.cycle',
  field_type: 'meta.formula.fieldType',
  number_range: 'meta.formula.numberRange',
  nul_character: 'meta.formula.invalid',
  formula_invalid: 'meta.formula.invalid',
  formula_too_long: 'meta.formula.tooLong',
  too_deep: 'meta.formula.tooDeep',
  path_not_supported: 'meta.formula.path',
  path_too_deep: 'meta.formula.path',
};

/** One refusal's words, a field type ("json") named as the designer's type list names it. */
export function metadataProblemText(p: MetadataProblem, t: Translate): string {
  const params = p.params ?? {};
  const typeName = (type: string) => t(`type.${type}` as MessageKey);
  const name = String(params.name ?? '');
  const formula = p.keyword ? FORMULA[p.keyword] : undefined;
  if (formula && p.field.endsWith('formula')) return t(formula, { token: p.token ?? '' });
  const simple = p.keyword ? SIMPLE[p.keyword] : undefined;
  if (simple) return t(simple);
  switch (p.keyword) {
    case 'taken':
      return t('meta.taken', { name });
    case 'reserved_name':
      return t('meta.reservedName', { name });
    case 'not_for_type':
      return t('meta.notForType', { type: typeName(String(params.type ?? '')) });
    case 'filled_by_platform':
      return t('meta.filledByPlatform', { type: typeName(String(params.type ?? '')) });
    case 'no_such_field':
      return t('meta.noSuchField', { name });
    case 'no_such_object':
      return t('meta.noSuchObject', { name });
    case 'outside_folder':
      return t('meta.outsideFolder', { name });
    case 'missing_file':
      return t('meta.missingFile', { name });
    case 'plural_taken':
      return t('meta.pluralTaken', { object: String(params.object ?? '') });
    case 'required':
      return name ? t('meta.missing', { name }) : t('common.required');
    case 'minLength':
      return t('common.required');
    case 'pattern':
      // The only patterns of a definition are API names (object, plural, field, option values).
      return /(^|\.)(name|plural|value|inverse)$/.test(p.field) ? t('meta.apiName') : t('check.pattern');
    case 'maxLength':
      return t('meta.tooLong', { max: Number(params.limit ?? 0) });
    case 'maximum':
      return t('meta.tooBig', { max: Number(params.limit ?? 0) });
    case 'minimum':
      return t('meta.tooSmall', { min: Number(params.limit ?? 0) });
    default:
      // A keyword the studio has no words for: the server's in English, a plain refusal in Japanese.
      return t('check.server', { detail: p.message });
  }
}
