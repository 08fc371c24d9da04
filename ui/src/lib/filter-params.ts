// The "build from request logs" form: its state, and the seed-003 request body built from it with the same rules the API applies.
import type { BodyOf } from './api-schema';
import {
  pathsApiPublicV2DatasetVersionsFromFilterParamsPostRequestBodyContentApplicationJsonScoresOperatorValues as SCORE_OPERATOR_VALUES,
  pathsApiPublicV2DatasetVersionsFromFilterParamsPostRequestBodyContentApplicationJsonSort_byValues as SORT_BY_VALUES,
  pathsApiPublicV2DatasetVersionsFromFilterParamsPostRequestBodyContentApplicationJsonStatusValues as STATUS_VALUES,
} from './api-types.gen';

/** The body of from-filter-params (and of its preview), as the server's schema declares it. */
export type FilterBody = BodyOf<'/api/public/v2/dataset-versions/from-filter-params', 'POST'>;

// The choices the form offers are the server's enums (generated from /openapi.json).
export const STATUSES = STATUS_VALUES;
export const SORT_FIELDS = SORT_BY_VALUES;
export const SCORE_OPERATORS = SCORE_OPERATOR_VALUES;
export const MAX_LIMIT = 50_000;

export interface KeyValue {
  key: string;
  value: string;
}
export interface TemplateFilter {
  name: string;
  /** Comma-separated integers. */
  version_numbers: string;
  /** Comma-separated labels. */
  labels: string;
}
export interface ScoreFilter {
  name: string;
  operator: (typeof SCORE_OPERATORS)[number];
  value: string;
}

/** Form state: text inputs stay strings until the body is built, so half-typed values never crash the form. */
export interface FilterForm {
  variables_to_parse: string;
  /** "YYYY-MM-DDTHH:mm" from <input type="datetime-local">, read as UTC. */
  start_time: string;
  end_time: string;
  limit: string;
  q: string;
  id: string;
  starred: boolean;
  order_by_random: boolean;
  metadata_and: KeyValue[];
  metadata_or: KeyValue[];
  tags_and: string;
  tags_or: string;
  prompt_templates_include: TemplateFilter[];
  prompt_templates_exclude: TemplateFilter[];
  scores: ScoreFilter[];
  status: Array<(typeof STATUSES)[number]>;
  sort_by: '' | (typeof SORT_FIELDS)[number];
  sort_order: '' | 'asc' | 'desc';
  include_fields: string;
  transpose_metadata_columns: boolean;
}

export function emptyFilterForm(): FilterForm {
  return {
    variables_to_parse: '',
    start_time: '',
    end_time: '',
    limit: '',
    q: '',
    id: '',
    starred: false,
    order_by_random: false,
    metadata_and: [],
    metadata_or: [],
    tags_and: '',
    tags_or: '',
    prompt_templates_include: [],
    prompt_templates_exclude: [],
    scores: [],
    status: [],
    sort_by: '',
    sort_order: '',
    include_fields: '',
    transpose_metadata_columns: false,
  };
}

export type FilterErrors = Partial<Record<keyof FilterForm, string>>;

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** datetime-local ("2026-04-22T17:00" or with seconds) → ISO 8601 UTC; undefined when not a time. */
export function toIsoUtc(local: string): string | undefined {
  const t = local.trim();
  if (!t) return undefined;
  const withZone = /[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t.length === 16 ? `${t}:00` : t}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace('.000Z', 'Z');
}

const isInt = (s: string) => /^-?\d+$/.test(s.trim());

function templates(
  list: TemplateFilter[],
  field: 'prompt_templates_include' | 'prompt_templates_exclude',
  errors: FilterErrors,
) {
  const out: Array<{ name: string; version_numbers?: number[]; labels?: string[] }> = [];
  for (const t of list) {
    if (!t.name.trim() && !t.version_numbers.trim() && !t.labels.trim()) continue;
    if (!t.name.trim()) {
      errors[field] = 'every prompt template needs a name';
      continue;
    }
    const versions = splitList(t.version_numbers);
    if (versions.some((v) => !isInt(v) || Number(v) < 1)) {
      errors[field] = `versions of "${t.name.trim()}" must be whole numbers ≥ 1, separated by commas`;
      continue;
    }
    const labels = splitList(t.labels);
    out.push({
      name: t.name.trim(),
      ...(versions.length ? { version_numbers: versions.map(Number) } : {}),
      ...(labels.length ? { labels } : {}),
    });
  }
  return out;
}

function pairs(
  list: KeyValue[],
  field: 'metadata_and' | 'metadata_or',
  errors: FilterErrors,
): NonNullable<FilterBody['metadata_and']> {
  const out: NonNullable<FilterBody['metadata_and']> = [];
  for (const p of list) {
    if (!p.key.trim() && !p.value.trim()) continue;
    if (!p.key.trim()) {
      errors[field] = 'every metadata filter needs a key';
      continue;
    }
    // Values are compared as strings on the server, so they are sent exactly as typed.
    out.push({ key: p.key.trim(), value: p.value });
  }
  return out;
}

/**
 * The request body of from-filter-params (and its preview) for a form, or the errors that stop it.
 * Only fields the user set are sent, so the server's defaults apply to the rest.
 */
export function buildFilterBody(form: FilterForm, datasetGroupId: number): { body: FilterBody; errors: FilterErrors } {
  const errors: FilterErrors = {};
  const body: FilterBody = { dataset_group_id: datasetGroupId };

  const vars = splitList(form.variables_to_parse);
  if (vars.length) body.variables_to_parse = vars;

  const start = toIsoUtc(form.start_time);
  const end = toIsoUtc(form.end_time);
  if (form.start_time.trim() && !start) errors.start_time = 'not a valid date and time';
  if (form.end_time.trim() && !end) errors.end_time = 'not a valid date and time';
  if (start) body.start_time = start;
  if (end) body.end_time = end;
  if (start && end && start > end) errors.end_time = 'end time is before start time';

  if (form.limit.trim()) {
    const n = Number(form.limit.trim());
    if (!isInt(form.limit) || n < 0 || n > MAX_LIMIT)
      errors.limit = `limit must be a whole number from 0 to ${MAX_LIMIT.toLocaleString('en-US')}`;
    else body.limit = n;
  }
  if (form.q.trim()) body.q = form.q.trim();
  if (form.id.trim()) {
    if (!isInt(form.id) || Number(form.id) < 1) errors.id = 'request log id must be a whole number ≥ 1';
    else body.id = Number(form.id.trim());
  }
  if (form.starred) body.starred = true;
  if (form.order_by_random) {
    if (!form.limit.trim()) errors.order_by_random = 'random order requires a limit';
    body.order_by_random = true;
  }

  const mAnd = pairs(form.metadata_and, 'metadata_and', errors);
  const mOr = pairs(form.metadata_or, 'metadata_or', errors);
  if (mAnd.length) body.metadata_and = mAnd;
  if (mOr.length) body.metadata_or = mOr;

  const tagsAnd = splitList(form.tags_and);
  const tagsOr = splitList(form.tags_or);
  if (tagsAnd.length) body.tags_and = tagsAnd;
  if (tagsOr.length) body.tags_or = tagsOr;

  const inc = templates(form.prompt_templates_include, 'prompt_templates_include', errors);
  const exc = templates(form.prompt_templates_exclude, 'prompt_templates_exclude', errors);
  if (inc.length) body.prompt_templates_include = inc;
  if (exc.length) body.prompt_templates_exclude = exc;

  const scores: NonNullable<FilterBody['scores']> = [];
  for (const s of form.scores) {
    if (!s.name.trim() && !s.value.trim()) continue;
    const v = Number(s.value.trim());
    if (!s.name.trim()) errors.scores = 'every score filter needs a score name';
    else if (!s.value.trim() || Number.isNaN(v)) errors.scores = `score "${s.name.trim()}" needs a numeric value`;
    else scores.push({ name: s.name.trim(), operator: s.operator, value: v });
  }
  if (scores.length) body.scores = scores;

  if (form.status.length) body.status = [...form.status];
  if (form.sort_by) body.sort_by = form.sort_by;
  if (form.sort_order) body.sort_order = form.sort_order;
  const fields = splitList(form.include_fields);
  if (fields.length) body.include_fields = fields;
  if (form.transpose_metadata_columns) {
    if (!mAnd.length && !mOr.length)
      errors.transpose_metadata_columns = 'transposing metadata columns requires a metadata filter';
    body.transpose_metadata_columns = true;
  }
  return { body, errors };
}

/** Readable labels of the stored filter_params fields. */
const PARAM_LABELS: Record<string, string> = {
  start_time: 'From',
  end_time: 'Until',
  limit: 'Limit',
  q: 'Text contains',
  id: 'Request log id',
  starred: 'Starred only',
  order_by_random: 'Random sample',
  metadata_and: 'Metadata (all of)',
  metadata_or: 'Metadata (any of)',
  tags_and: 'Tags (all of)',
  tags_or: 'Tags (any of)',
  prompt_templates_include: 'Prompt templates',
  prompt_templates_exclude: 'Excluding templates',
  scores: 'Scores',
  status: 'Status',
  sort_by: 'Sorted by',
  sort_order: 'Order',
  variables_to_parse: 'Variables as columns',
  include_fields: 'Extra columns',
  transpose_metadata_columns: 'Metadata keys as columns',
};

type AnyObj = Record<string, unknown>;
const asObj = (v: unknown): AnyObj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as AnyObj) : {});

/** One filter value as text a person reads: lists joined, pairs as "key = value", templates with versions and labels. */
function readableValue(key: string, v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number')
    return key === 'sort_order' ? (v === 'asc' ? 'ascending' : 'descending') : String(v);
  if (!Array.isArray(v)) return JSON.stringify(v);
  if (key === 'metadata_and' || key === 'metadata_or')
    return v
      .map((p) => `${String(asObj(p).key)} = ${String(asObj(p).value)}`)
      .join(key === 'metadata_and' ? ' and ' : ' or ');
  if (key === 'prompt_templates_include' || key === 'prompt_templates_exclude') {
    return v
      .map((t) => {
        const o = asObj(t);
        const versions =
          Array.isArray(o.version_numbers) && o.version_numbers.length ? ` v${o.version_numbers.join(', v')}` : '';
        const labels = Array.isArray(o.labels) && o.labels.length ? ` (${o.labels.join(', ')})` : '';
        return `${String(o.name)}${versions}${labels}`;
      })
      .join('; ');
  }
  if (key === 'scores')
    return v
      .map((c) => `${String(asObj(c).name)} ${String(asObj(c).operator)} ${String(asObj(c).value)}`)
      .join(' and ');
  return v
    .map((x) => (typeof x === 'string' || typeof x === 'number' ? String(x) : JSON.stringify(x)))
    .join(key === 'tags_or' ? ' or ' : ', ');
}

/** A stored version's filter_params as readable "label: value" lines for display (not raw JSON). */
export function describeFilterParams(params: Record<string, unknown> | null | undefined): Array<[string, string]> {
  if (!params) return [];
  return Object.entries(params)
    .filter(
      ([k, v]) =>
        k !== 'dataset_group_id' &&
        v !== undefined &&
        v !== null &&
        v !== false &&
        !(Array.isArray(v) && v.length === 0),
    )
    .map(([k, v]) => [PARAM_LABELS[k] ?? k.replace(/_/g, ' '), readableValue(k, v)]);
}
