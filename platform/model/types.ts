// The metadata language as TypeScript: what an admin or a plugin declares.

export interface Label {
  en: string;
  ja: string;
}

export const fieldTypeNames = [
  'text',
  'long_text',
  'email',
  'phone',
  'url',
  'integer',
  'number',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'select',
  'multi_select',
  'relation',
  'autonumber',
  'json',
  'user',
  'country',
  'tags',
  'formula',
] as const;
export type FieldTypeName = (typeof fieldTypeNames)[number];

export interface SelectOption {
  value: string;
  label: Label;
  color?: string;
  /** A record with this value is finished (a case "Resolved" or "Closed"): left out of "assigned to me". */
  closed?: boolean;
}

/** One field as declared (the "FieldSpec" of API.md). */
export interface FieldSpec {
  name: string;
  type: FieldTypeName;
  label: Label;
  description?: Label;
  required?: boolean;
  unique?: boolean;
  indexed?: boolean;
  searchable?: boolean;
  default?: unknown;
  options?: SelectOption[];
  target?: string;
  inverse?: string;
  currency?: string;
  format?: string;
  max_length?: number;
  minimum?: number;
  maximum?: number;
  /** number and percent: at most this many digits after the decimal point. */
  decimals?: number;
  /** Set by the platform on fields of standard objects: not deletable by admins. */
  standard?: boolean;
  /** The plugin that added the field to another object (removed with the plugin). */
  plugin?: string;
  /**
   * Data a plugin derives and maintains on records (duplicate keys, caches), not user data:
   * left out of history rows and of the studio's forms and details, and the plugin may update
   * it silently (PluginRecords.maintain). Only a plugin's own fields may be internal.
   */
  internal?: boolean;
  /**
   * Not in the studio's default list columns, forms and detail layouts (a plugin's bookkeeping
   * such as the records a merge took in); an admin may still add it to a view or layout.
   */
  hidden?: boolean;
  /** Set by the platform for autonumber fields: the sequence behind it. */
  sequence?: string;
  /** formula fields: the expression (docs/API.md, "Formula fields"). */
  formula?: string;
  /** formula fields: the type of its value, inferred when saved and stored. */
  result_type?: FormulaResultType;
}

export const formulaResultTypes = ['number', 'text', 'boolean', 'date', 'datetime'] as const;
export type FormulaResultType = (typeof formulaResultTypes)[number];

/** One object as declared (the short form of API.md). */
export interface ObjectSpec {
  name: string;
  label: Label;
  plural: string;
  plural_label?: Label;
  description?: Label;
  icon?: string;
  display_field?: string;
  /** How a record is named, per language: `{field}` placeholders ("{last_name} {first_name}"). */
  display?: Label;
  standard?: boolean;
  /** The plugin that owns the object, if any. */
  plugin?: string;
  /** A role's "*" grant does not cover it: only grants naming it (admins always may). */
  restricted?: boolean;
  /** Composite indexes for frequent filter + sort combinations ("-score" builds descending). */
  indexes?: IndexSpec[];
  fields: FieldSpec[];
}

export interface IndexSpec {
  fields: string[];
}

export type JsonSchema = Record<string, unknown>;

/** An object definition: a JSON Schema (2020-12) of its records with x-kizuna keywords. */
export type ObjectDef = JsonSchema & {
  'x-kizuna': {
    name: string;
    plural: string;
    label: Label;
    plural_label?: Label;
    description?: Label;
    icon?: string;
    display_field?: string;
    display?: Label;
    standard?: boolean;
    plugin?: string;
    restricted?: boolean;
    indexes?: IndexSpec[];
    version?: number;
  };
  properties: Record<string, JsonSchema & { 'x-kizuna': Omit<FieldSpec, 'name'> & { system?: boolean } }>;
};

export const API_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** System fields every record has; never declared, never writable. */
export const systemFieldNames = ['id', 'created_at', 'updated_at', 'version', 'created_by', 'updated_by'] as const;

/** Names the platform keeps for itself (columns, route segments). */
export const reservedFieldNames = new Set<string>([
  ...systemFieldNames,
  'deleted_at',
  'deleted_by',
  'ctid',
  'oid',
  'xmin',
  'xmax',
  'cmin',
  'cmax',
  'tableoid',
]);
