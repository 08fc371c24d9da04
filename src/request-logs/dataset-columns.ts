// The column set of a dataset built from request logs (documented in docs/request-logs.md; keep it stable):
//   1. input variables: those of `variables_to_parse` in the given order, else every variable name found in the
//      matched logs, sorted;
//   2. `output`: the plain text of the log's output;
//   3. each of `include_fields`, in the given order, named as the field;
//   4. with `transpose_metadata_columns`: `metadata.<key>` for every metadata key found in the matched logs, sorted.
// A name already taken gets a `_2`, `_3`... suffix and a warning.
import type { PartlyDecodedRequestLogRow, RequestLogJsonColumn, RequestLogRow } from '../db/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Request-log fields `include_fields` may name, and how each becomes a cell. */
export const INCLUDE_FIELDS: Record<string, (r: PartlyDecodedRequestLogRow) => unknown> = {
  id: (r) => r.id,
  provider: (r) => r.provider,
  model: (r) => r.model,
  input: (r) => r.input,
  input_text: (r) => r.input_text,
  output_text: (r) => r.output_text,
  output_blueprint: (r) => r.output,
  parameters: (r) => r.parameters,
  request_start_time: (r) => iso(r.request_start_time),
  request_end_time: (r) => iso(r.request_end_time),
  latency_ms: (r) => r.latency_ms,
  input_tokens: (r) => r.input_tokens,
  output_tokens: (r) => r.output_tokens,
  price: (r) => r.price,
  status: (r) => r.status,
  error_type: (r) => r.error_type,
  error_message: (r) => r.error_message,
  function_name: (r) => r.function_name,
  api_type: (r) => r.api_type,
  tags: (r) => r.tags,
  metadata: (r) => r.metadata,
  scores: (r) => r.scores,
  score: (r) => r.score,
  starred: (r) => r.starred === 1,
  prompt_name: (r) => r.prompt_name,
  prompt_id: (r) => r.prompt_id,
  prompt_version_number: (r) => r.prompt_version_number,
  prompt_input_variables: (r) => r.prompt_input_variables,
  group_id: (r) => r.group_id,
};

/** The JSON column each JSON-valued include field reads (see jsonColumnsFor). */
const INCLUDE_FIELD_JSON: Partial<Record<string, RequestLogJsonColumn>> = {
  input: 'input',
  output_blueprint: 'output',
  parameters: 'parameters',
  tags: 'tags',
  metadata: 'metadata',
  scores: 'scores',
  prompt_input_variables: 'prompt_input_variables',
};

export interface ColumnOptions {
  /** Input variables to extract; undefined = all found. */
  variablesToParse?: string[];
  includeFields: string[];
  transposeMetadata: boolean;
}

type Source =
  { kind: 'var'; name: string } | { kind: 'output' } | { kind: 'field'; field: string } | { kind: 'meta'; key: string };

export interface ColumnPlan {
  columns: string[];
  sources: Source[];
  warnings: string[];
}

/** Plans columns from pass one's rows (their variables and metadata). */
export function planColumns(
  matches: Array<Pick<RequestLogRow, 'prompt_input_variables' | 'metadata'>>,
  opts: ColumnOptions,
): ColumnPlan {
  const sources: Source[] = [];
  if (opts.variablesToParse) {
    for (const name of opts.variablesToParse) sources.push({ kind: 'var', name });
  } else {
    const names = new Set<string>();
    for (const m of matches) for (const k of Object.keys(m.prompt_input_variables)) names.add(k);
    for (const name of [...names].sort()) sources.push({ kind: 'var', name });
  }
  sources.push({ kind: 'output' });
  for (const field of opts.includeFields) sources.push({ kind: 'field', field });
  if (opts.transposeMetadata) {
    const keys = new Set<string>();
    for (const m of matches) for (const k of Object.keys(m.metadata)) keys.add(k);
    for (const key of [...keys].sort()) sources.push({ kind: 'meta', key });
  }
  return nameColumns(sources);
}

/**
 * Columns that one log brings (add-request-log): its input variables, sorted, then `output`, named as a build names
 * them (a variable called `output` keeps that name and the log's output becomes `output_2`, with a warning).
 */
export function planLogColumns(log: RequestLogRow): ColumnPlan {
  return planColumns([log], { includeFields: [], transposeMetadata: false });
}
function nameColumns(sources: Source[]): ColumnPlan {
  const taken = new Set<string>();
  const columns: string[] = [];
  const warnings: string[] = [];
  for (const s of sources) {
    const base =
      s.kind === 'var' ? s.name : s.kind === 'output' ? 'output' : s.kind === 'field' ? s.field : `metadata.${s.key}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    if (name !== base) warnings.push(`column "${base}" appears twice; the later one is named "${name}"`);
    taken.add(name);
    columns.push(name);
  }
  return { columns, sources, warnings };
}

/** The JSON columns of a log that cellsFor reads for this plan (the rest need not be decoded). */
export function jsonColumnsFor(plan: ColumnPlan): RequestLogJsonColumn[] {
  const columns = new Set<RequestLogJsonColumn>();
  for (const s of plan.sources) {
    if (s.kind === 'var') columns.add('prompt_input_variables');
    else if (s.kind === 'meta') columns.add('metadata');
    else if (s.kind === 'field' && INCLUDE_FIELD_JSON[s.field]) columns.add(INCLUDE_FIELD_JSON[s.field]!);
  }
  return [...columns];
}

/** One dataset row's cells, following the plan; `log` holds at least the JSON columns jsonColumnsFor(plan) names. */
export function cellsFor(plan: ColumnPlan, log: PartlyDecodedRequestLogRow): unknown[] {
  const vars = log.prompt_input_variables;
  const meta = log.metadata;
  return plan.sources.map((s) => {
    switch (s.kind) {
      case 'var':
        return vars![s.name] ?? null;
      case 'output':
        return log.output_text;
      case 'field':
        return INCLUDE_FIELDS[s.field](log);
      case 'meta':
        return meta![s.key] ?? null;
    }
  });
}

/** A cell for a named column of an existing draft (add-request-log): the log's own columns, metadata.<key>, include fields. */
export function cellForColumn(column: string, log: RequestLogRow, own: ColumnPlan): unknown {
  const i = own.columns.indexOf(column);
  if (i >= 0) return cellsFor({ ...own, sources: [own.sources[i]] }, log)[0];
  if (column.startsWith('metadata.')) return log.metadata[column.slice('metadata.'.length)] ?? null;
  const field = INCLUDE_FIELDS[column];
  return field ? field(log) : null;
}
