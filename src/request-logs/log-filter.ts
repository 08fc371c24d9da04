// The one filter language over request logs: an AST that seed 003's legacy fields and the newer `filter_group` both
// compile to, and that the repository turns into SQL. No SQL here.
import { ValidationError } from '../errors.js';
import { MAX_INT32 } from '../input-limits.js';
import { parseApiTime, parseIsoTime } from '../iso-time.js';
import type { FilterCondition, FilterGroup, LegacyFilter, TemplateRef } from './log-filter.schema.js';

export type Cmp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

/** Scalar request-log columns a filter may compare. */
export type LogColumn =
  | 'id'
  | 'provider'
  | 'model'
  | 'status'
  | 'input_tokens'
  | 'output_tokens'
  | 'price'
  | 'latency_ms'
  | 'request_start_time'
  | 'request_end_time'
  | 'prompt_name'
  | 'prompt_id'
  | 'prompt_version_number'
  | 'starred'
  | 'group_id'
  | 'function_name'
  | 'api_type'
  | 'error_type'
  | 'score';

export type TextColumn =
  | 'input_text'
  | 'output_text'
  | 'provider'
  | 'model'
  | 'prompt_name'
  | 'error_message'
  | 'function_name'
  | 'error_type'
  | 'status'
  | 'api_type';

export type LogFilter =
  | { kind: 'and' | 'or'; items: LogFilter[] }
  | { kind: 'not'; item: LogFilter }
  | { kind: 'const'; value: boolean }
  | { kind: 'cmp'; column: LogColumn; op: Cmp; value: number | string }
  | { kind: 'in'; column: LogColumn; values: Array<number | string> }
  | { kind: 'is_null'; column: LogColumn }
  | { kind: 'text'; column: TextColumn; op: 'contains' | 'starts_with' | 'ends_with' | 'equals'; value: string }
  /** Free text in the input or output. */
  | { kind: 'q'; text: string }
  /** Has at least one of `tags` (one tag: has it). */
  | { kind: 'tag'; tags: string[] }
  | { kind: 'any_tag' }
  /** Metadata `key` has a value matching. */
  | { kind: 'meta'; key: string; op: 'eq' | 'contains' | 'in'; values: string[] }
  /** Has at least one of these metadata keys. */
  | { kind: 'meta_key'; keys: string[] }
  | { kind: 'any_meta' }
  | { kind: 'score'; name: string; op: Cmp; value: number }
  /** An input variable (dot path) compared as text. */
  | { kind: 'input_var'; path: string[]; op: 'eq' | 'contains' | 'in' | 'exists'; values: string[] };

export const and = (items: LogFilter[]): LogFilter => (items.length === 1 ? items[0] : { kind: 'and', items });
export const or = (items: LogFilter[]): LogFilter => (items.length === 1 ? items[0] : { kind: 'or', items });
export const not = (item: LogFilter): LogFilter => ({ kind: 'not', item });

// ---- the legacy fields of seed 003 (their shape: log-filter.schema.ts)

const SCORE_OPS: Record<string, Cmp> = { '>': 'gt', '<': 'lt', '>=': 'gte', '<=': 'lte', '=': 'eq' };

/** Resolves release labels of a named template to the version numbers they point at now. */
export type LabelResolver = (name: string, labels: string[]) => Promise<number[]>;

async function templateMatch(t: TemplateRef, resolveLabels: LabelResolver): Promise<LogFilter> {
  const byName: LogFilter = { kind: 'cmp', column: 'prompt_name', op: 'eq', value: t.name };
  const narrows = (t.version_numbers?.length ?? 0) > 0 || (t.labels?.length ?? 0) > 0;
  if (!narrows) return byName;
  const versions = new Set<number>(t.version_numbers ?? []);
  for (const v of await resolveLabels(t.name, t.labels ?? [])) versions.add(v);
  if (versions.size === 0) return { kind: 'const', value: false };
  return and([byName, { kind: 'in', column: 'prompt_version_number', values: [...versions] }]);
}

/** Every legacy field present becomes one conjunct. `starred: false` means "no starred filter", as in PromptLayer. */
export async function fromLegacy(f: LegacyFilter, resolveLabels: LabelResolver): Promise<LogFilter[]> {
  const parts: LogFilter[] = [];
  if (f.start_time !== undefined)
    parts.push({ kind: 'cmp', column: 'request_start_time', op: 'gte', value: parseIsoTime(f.start_time) });
  if (f.end_time !== undefined)
    parts.push({ kind: 'cmp', column: 'request_start_time', op: 'lte', value: parseIsoTime(f.end_time) });
  if (f.q !== undefined && f.q.trim() !== '') parts.push({ kind: 'q', text: f.q.trim() });
  if (f.id !== undefined) parts.push({ kind: 'cmp', column: 'id', op: 'eq', value: f.id });
  if (f.starred === true) parts.push({ kind: 'cmp', column: 'starred', op: 'eq', value: 1 });
  for (const m of f.metadata_and ?? []) parts.push({ kind: 'meta', key: m.key, op: 'eq', values: [m.value] });
  if (f.metadata_or && f.metadata_or.length > 0)
    parts.push(or(f.metadata_or.map((m) => ({ kind: 'meta', key: m.key, op: 'eq', values: [m.value] }))));
  for (const t of f.tags_and ?? []) parts.push({ kind: 'tag', tags: [t] });
  if (f.tags_or && f.tags_or.length > 0) parts.push({ kind: 'tag', tags: [...new Set(f.tags_or)] });
  if (f.prompt_templates_include && f.prompt_templates_include.length > 0) {
    parts.push(or(await Promise.all(f.prompt_templates_include.map((t) => templateMatch(t, resolveLabels)))));
  }
  if (f.prompt_templates_exclude && f.prompt_templates_exclude.length > 0) {
    parts.push(not(or(await Promise.all(f.prompt_templates_exclude.map((t) => templateMatch(t, resolveLabels))))));
  }
  for (const s of f.scores ?? [])
    parts.push({ kind: 'score', name: s.name, op: SCORE_OPS[s.operator], value: s.value });
  if (f.status && f.status.length > 0) parts.push({ kind: 'in', column: 'status', values: [...new Set(f.status)] });
  return parts;
}

// ---- the structured `filter_group` (its shape: log-filter.schema.ts)

type FieldType = 'string' | 'text' | 'numeric' | 'datetime' | 'boolean' | 'array' | 'nested';

/** filter_group field → how it is stored. Names follow PromptLayer's; a few Strata aliases are added. */
const FIELDS: Record<
  string,
  {
    type: FieldType;
    column?: LogColumn;
    text?: TextColumn;
    target?: 'tags' | 'metadata_keys' | 'metadata' | 'input_variables' | 'scores';
  }
> = {
  pl_id: { type: 'numeric', column: 'id' },
  id: { type: 'numeric', column: 'id' },
  prompt_id: { type: 'numeric', column: 'prompt_id' },
  prompt_version_number: { type: 'numeric', column: 'prompt_version_number' },
  prompt_name: { type: 'string', column: 'prompt_name' },
  engine: { type: 'string', column: 'model' },
  model: { type: 'string', column: 'model' },
  provider_type: { type: 'string', column: 'provider' },
  provider: { type: 'string', column: 'provider' },
  status: { type: 'string', column: 'status' },
  function_name: { type: 'string', column: 'function_name' },
  api_type: { type: 'string', column: 'api_type' },
  error_type: { type: 'string', column: 'error_type' },
  error_message: { type: 'text', text: 'error_message' },
  input_text: { type: 'text', text: 'input_text' },
  output_text: { type: 'text', text: 'output_text' },
  output: { type: 'text', text: 'output_text' },
  input_tokens: { type: 'numeric', column: 'input_tokens' },
  output_tokens: { type: 'numeric', column: 'output_tokens' },
  cost: { type: 'numeric', column: 'price' },
  price: { type: 'numeric', column: 'price' },
  latency_ms: { type: 'numeric', column: 'latency_ms' },
  score: { type: 'numeric', column: 'score' },
  group_id: { type: 'numeric', column: 'group_id' },
  request_start_time: { type: 'datetime', column: 'request_start_time' },
  request_end_time: { type: 'datetime', column: 'request_end_time' },
  starred: { type: 'boolean', column: 'starred' },
  is_starred: { type: 'boolean', column: 'starred' },
  tags: { type: 'array', target: 'tags' },
  metadata_keys: { type: 'array', target: 'metadata_keys' },
  metadata: { type: 'nested', target: 'metadata' },
  input_variables: { type: 'nested', target: 'input_variables' },
  scores: { type: 'nested', target: 'scores' },
};
/** The field names a filter_group condition may use. */
export const FILTER_FIELD_NAMES = Object.keys(FIELDS);

/**
 * Fields PromptLayer documents that Strata does not index (output classification, tool names, flattened JSON
 * output and variable keys, intent). A condition on one is a 400 naming it: dropping it would change which logs match.
 */
const UNSUPPORTED_FIELDS = new Set([
  'is_json',
  'is_tool_call',
  'is_plain_text',
  'tool_names',
  'output_keys',
  'input_variable_keys',
  'user_intent',
  'agent_intent',
]);
const NESTED_OPERATORS = new Set([
  'key_equals',
  'key_not_equals',
  'key_contains',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
]);

/** The operators of each field type (PromptLayer's, as documented). */
export const OPERATORS_BY_TYPE: Record<FieldType, string[]> = {
  string: ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'is_null', 'is_not_null'],
  text: ['contains', 'not_contains', 'starts_with', 'ends_with', 'is', 'is_not'],
  numeric: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_null', 'is_not_null'],
  datetime: ['is', 'before', 'after', 'between'],
  boolean: ['is_true', 'is_false'],
  array: ['contains', 'not_contains', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  nested: [
    'key_equals',
    'key_not_equals',
    'key_contains',
    'in',
    'not_in',
    'is_empty',
    'is_not_empty',
    'gt',
    'gte',
    'lt',
    'lte',
    'eq',
    'neq',
  ],
};

export const FILTER_GROUP_MAX_DEPTH = 8;
export const FILTER_GROUP_MAX_CONDITIONS = 200;

function bad(path: string, msg: string): ValidationError {
  return new ValidationError(`${path}: ${msg}`, [{ path: path.split('.'), message: msg, type: 'value_error' }]);
}

function asString(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw bad(path, 'must be a string');
}
function asNumber(v: unknown, path: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(path, 'must be a number');
  return n;
}
function asList(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw bad(path, 'must be a non-empty array');
  if (v.length > 1000) throw bad(path, 'must have at most 1000 items');
  return v;
}
/** A filter time, read by the same rule as ingestion (see parseApiTime). */
export function asTime(v: unknown, path: string): number {
  const ms = parseApiTime(v);
  if (!Number.isNaN(ms)) return ms;
  throw bad(path, 'must be an ISO 8601 date-time or unix seconds');
}

const NUM_OPS: Record<string, Cmp> = { eq: 'eq', neq: 'neq', gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' };

/** Integer columns and their largest value: a fraction or an out-of-range number is a 400, never a database error. */
const INTEGER_COLUMNS: Partial<Record<LogColumn, number>> = {
  id: Number.MAX_SAFE_INTEGER,
  prompt_id: Number.MAX_SAFE_INTEGER,
  group_id: Number.MAX_SAFE_INTEGER,
  latency_ms: Number.MAX_SAFE_INTEGER,
  input_tokens: MAX_INT32,
  output_tokens: MAX_INT32,
  prompt_version_number: MAX_INT32,
};

function columnNumber(column: LogColumn, v: unknown, path: string): number {
  const n = asNumber(v, path);
  const max = INTEGER_COLUMNS[column];
  if (max !== undefined && (!Number.isInteger(n) || Math.abs(n) > max))
    throw bad(path, `must be an integer between ${-max} and ${max}`);
  if (max === undefined && Math.abs(n) > 1e300) throw bad(path, 'is out of range');
  return n;
}

function condition(c: FilterCondition, path: string): LogFilter {
  if (!c || typeof c !== 'object' || typeof c.field !== 'string') throw bad(`${path}.field`, 'is required');
  if (UNSUPPORTED_FIELDS.has(c.field))
    throw bad(`${path}.field`, `"${c.field}" is a PromptLayer field that Strata does not support yet`);
  if (c.field === 'output' && typeof c.nested_key === 'string' && NESTED_OPERATORS.has(String(c.operator))) {
    throw bad(
      `${path}.field`,
      '"output" with nested_key (flattened JSON output) is not supported by Strata; filter output_text or use q',
    );
  }
  const spec = FIELDS[c.field];
  if (!spec) throw bad(`${path}.field`, `unknown field "${c.field}"; known fields: ${FILTER_FIELD_NAMES.join(', ')}`);
  if (typeof c.operator !== 'string' || !OPERATORS_BY_TYPE[spec.type].includes(c.operator)) {
    throw bad(
      `${path}.operator`,
      `"${String(c.operator)}" is not an operator of ${spec.type} field ${c.field}; use one of ${OPERATORS_BY_TYPE[spec.type].join(', ')}`,
    );
  }
  const op = c.operator;
  const vp = `${path}.value`;
  switch (spec.type) {
    case 'string': {
      const column = spec.column!;
      if (op === 'is_null') return { kind: 'is_null', column };
      if (op === 'is_not_null') return not({ kind: 'is_null', column });
      if (op === 'contains' || op === 'not_contains') {
        const t: LogFilter = {
          kind: 'text',
          column: column as TextColumn,
          op: 'contains',
          value: asString(c.value, vp),
        };
        return op === 'contains' ? t : not(t);
      }
      if (op === 'in' || op === 'not_in') {
        const values = asList(c.value, vp).map((v, i) => asString(v, `${vp}.${i}`));
        const f: LogFilter = { kind: 'in', column, values };
        return op === 'in' ? f : not(f);
      }
      const f: LogFilter = { kind: 'cmp', column, op: 'eq', value: asString(c.value, vp) };
      return op === 'is' ? f : not(f);
    }
    case 'text': {
      const column = spec.text!;
      const value = asString(c.value, vp);
      if (op === 'is' || op === 'is_not') {
        const f: LogFilter = { kind: 'text', column, op: 'equals', value };
        return op === 'is' ? f : not(f);
      }
      if (op === 'not_contains') return not({ kind: 'text', column, op: 'contains', value });
      return { kind: 'text', column, op: op as 'contains' | 'starts_with' | 'ends_with', value };
    }
    case 'numeric': {
      const column = spec.column!;
      if (op === 'is_null') return { kind: 'is_null', column };
      if (op === 'is_not_null') return not({ kind: 'is_null', column });
      if (op === 'between') {
        const [lo, hi] = asList(c.value, vp);
        return and([
          { kind: 'cmp', column, op: 'gte', value: columnNumber(column, lo, `${vp}.0`) },
          { kind: 'cmp', column, op: 'lte', value: columnNumber(column, hi, `${vp}.1`) },
        ]);
      }
      return { kind: 'cmp', column, op: NUM_OPS[op], value: columnNumber(column, c.value, vp) };
    }
    case 'datetime': {
      const column = spec.column!;
      if (op === 'between') {
        const list = asList(c.value, vp);
        if (list.length !== 2) throw bad(vp, 'between takes [from, to]');
        return and([
          { kind: 'cmp', column, op: 'gte', value: asTime(list[0], `${vp}.0`) },
          { kind: 'cmp', column, op: 'lte', value: asTime(list[1], `${vp}.1`) },
        ]);
      }
      const t = asTime(c.value, vp);
      return { kind: 'cmp', column, op: op === 'is' ? 'eq' : op === 'before' ? 'lt' : 'gt', value: t };
    }
    case 'boolean':
      return { kind: 'cmp', column: spec.column!, op: 'eq', value: op === 'is_true' ? 1 : 0 };
    case 'array': {
      const isTags = spec.target === 'tags';
      const has = (values: string[]): LogFilter =>
        isTags ? { kind: 'tag', tags: values } : { kind: 'meta_key', keys: values };
      const anything: LogFilter = isTags ? { kind: 'any_tag' } : { kind: 'any_meta' };
      if (op === 'is_empty') return not(anything);
      if (op === 'is_not_empty') return anything;
      if (op === 'contains' || op === 'not_contains') {
        const f = has([asString(c.value, vp)]);
        return op === 'contains' ? f : not(f);
      }
      const f = has(asList(c.value, vp).map((v, i) => asString(v, `${vp}.${i}`)));
      return op === 'in' ? f : not(f);
    }
    case 'nested': {
      if (typeof c.nested_key !== 'string' || c.nested_key === '')
        throw bad(`${path}.nested_key`, `is required for field ${c.field}`);
      const key = c.nested_key;
      if (spec.target === 'scores') {
        const ops: Record<string, Cmp> = { ...NUM_OPS, key_equals: 'eq', key_not_equals: 'neq' };
        if (!(op in ops)) throw bad(`${path}.operator`, `scores take ${Object.keys(ops).join(', ')}`);
        return { kind: 'score', name: key, op: ops[op], value: asNumber(c.value, vp) };
      }
      if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(op))
        throw bad(`${path}.operator`, `numeric comparisons apply to scores only`);
      const mk = (o: 'eq' | 'contains' | 'in' | 'exists', values: string[]): LogFilter =>
        spec.target === 'metadata'
          ? o === 'exists'
            ? { kind: 'meta_key', keys: [key] }
            : { kind: 'meta', key, op: o, values }
          : { kind: 'input_var', path: key.split('.'), op: o, values };
      switch (op) {
        case 'key_equals':
          return mk('eq', [asString(c.value, vp)]);
        case 'key_not_equals':
          return not(mk('eq', [asString(c.value, vp)]));
        case 'key_contains':
          return mk('contains', [asString(c.value, vp)]);
        case 'in':
          return mk(
            'in',
            asList(c.value, vp).map((v, i) => asString(v, `${vp}.${i}`)),
          );
        case 'not_in':
          return not(
            mk(
              'in',
              asList(c.value, vp).map((v, i) => asString(v, `${vp}.${i}`)),
            ),
          );
        case 'is_empty':
          return not(mk('exists', []));
        default:
          return mk('exists', []);
      }
    }
  }
}

/** An item with `filters` is a group (as the schema's union reads it); anything else is a condition. */
const isGroup = (f: FilterGroup | FilterCondition): f is FilterGroup =>
  Boolean(f) && typeof f === 'object' && 'filters' in f;

/** Validates a filter_group (400 naming the exact path on any problem) and compiles it. */
export function fromFilterGroup(group: FilterGroup, path = 'filter_group'): LogFilter {
  let count = 0;
  const walk = (g: FilterGroup, p: string, depth: number): LogFilter => {
    if (depth > FILTER_GROUP_MAX_DEPTH) throw bad(p, `groups nest at most ${FILTER_GROUP_MAX_DEPTH} deep`);
    if (!g || typeof g !== 'object' || !Array.isArray(g.filters)) throw bad(`${p}.filters`, 'must be an array');
    const logic = g.logic ?? 'AND';
    if (logic !== 'AND' && logic !== 'OR') throw bad(`${p}.logic`, 'must be AND or OR');
    const items = g.filters.map((f, i) => {
      if (++count > FILTER_GROUP_MAX_CONDITIONS) throw bad(p, `at most ${FILTER_GROUP_MAX_CONDITIONS} conditions`);
      const fp = `${p}.filters.${i}`;
      return isGroup(f) ? walk(f, fp, depth + 1) : condition(f, fp);
    });
    if (items.length === 0) return { kind: 'const', value: true };
    return logic === 'AND' ? and(items) : or(items);
  };
  return walk(group, path, 1);
}

/** True when the filter tests metadata anywhere (for transpose_metadata_columns with a filter_group). */
export function usesMetadata(f: LogFilter): boolean {
  switch (f.kind) {
    case 'and':
    case 'or':
      return f.items.some(usesMetadata);
    case 'not':
      return usesMetadata(f.item);
    case 'meta':
    case 'meta_key':
    case 'any_meta':
      return true;
    default:
      return false;
  }
}
