// Request-log helpers: the search filter_group from the filter bar, and reading a log's fields and prompt blueprints.
import type { QueryOf } from './api-schema';
import type { components } from './api-types.gen';

export interface LogFilters {
  q: string;
  status: '' | 'SUCCESS' | 'WARNING' | 'ERROR';
  model: string;
  provider: string;
  tag: string;
  promptName: string;
  /** datetime-local values, read as UTC. */
  after: string;
  before: string;
  metadataKey: string;
  metadataValue: string;
}

export const emptyLogFilters = (): LogFilters => ({
  q: '',
  status: '',
  model: '',
  provider: '',
  tag: '',
  promptName: '',
  after: '',
  before: '',
  metadataKey: '',
  metadataValue: '',
});

const utc = (local: string) => {
  const d = new Date(local.length === 16 ? `${local}:00Z` : `${local}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** The body of POST /requests/search for the filter bar (PromptLayer's structured filter_group). */
export function buildSearchBody(f: LogFilters, page: number, perPage: number): Record<string, unknown> {
  const filters: Array<Record<string, unknown>> = [];
  if (f.status) filters.push({ field: 'status', operator: 'is', value: f.status });
  if (f.model.trim()) filters.push({ field: 'engine', operator: 'is', value: f.model.trim() });
  if (f.provider.trim()) filters.push({ field: 'provider_type', operator: 'is', value: f.provider.trim() });
  if (f.tag.trim()) filters.push({ field: 'tags', operator: 'contains', value: f.tag.trim() });
  if (f.promptName.trim()) filters.push({ field: 'prompt_name', operator: 'is', value: f.promptName.trim() });
  const after = f.after ? utc(f.after) : undefined;
  const before = f.before ? utc(f.before) : undefined;
  if (after) filters.push({ field: 'request_start_time', operator: 'after', value: after });
  if (before) filters.push({ field: 'request_start_time', operator: 'before', value: before });
  if (f.metadataKey.trim())
    filters.push({
      field: 'metadata',
      operator: 'key_equals',
      nested_key: f.metadataKey.trim(),
      value: f.metadataValue,
    });
  return {
    ...(filters.length ? { filter_group: { logic: 'AND', filters } } : {}),
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    sort_by: 'request_start_time',
    sort_order: 'desc',
    page,
    per_page: perPage,
  };
}

type Obj = Record<string, unknown>;

/** A time that may be ISO text or unix seconds/ms, as ISO. */
export function timeOf(v: unknown): string | null {
  if (typeof v === 'number') return new Date(v > 1e12 ? v : v * 1000).toISOString();
  if (typeof v === 'string' && v) return v;
  return null;
}

export interface LogSummary {
  id: number;
  time: string;
  model: string;
  provider: string;
  status: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  price: number;
  tags: string[];
  promptName: string | null;
}

/** The fields a summary reads, declared alike by the search's items and the detail's `request` (RequestLog). */
export type LoggedRequest = Pick<
  components['schemas']['RequestLog'],
  | 'id'
  | 'request_start_time'
  | 'model'
  | 'provider'
  | 'status'
  | 'latency_ms'
  | 'input_tokens'
  | 'output_tokens'
  | 'price'
  | 'tags'
  | 'prompt_name'
>;

export function summariseLog(log: LoggedRequest): LogSummary {
  return {
    id: log.id,
    time: log.request_start_time,
    model: log.model,
    provider: log.provider,
    status: log.status,
    latencyMs: log.latency_ms,
    inputTokens: log.input_tokens,
    outputTokens: log.output_tokens,
    price: log.price,
    tags: log.tags,
    promptName: log.prompt_name,
  };
}

export interface Message {
  role: string;
  text: string;
}

/** Messages of a prompt blueprint (`{type:"chat", messages}` or `{type:"completion", content}`), as role + text. */
export function messagesOf(blueprint: unknown): Message[] {
  if (!blueprint || typeof blueprint !== 'object')
    return typeof blueprint === 'string' ? [{ role: 'text', text: blueprint }] : [];
  const b = blueprint as Obj;
  const textOf = (content: unknown): string => {
    if (typeof content === 'string') return content;
    if (Array.isArray(content))
      return content
        .map((c) => (c && typeof c === 'object' ? String((c as Obj).text ?? JSON.stringify(c)) : String(c)))
        .join('\n');
    return content === undefined || content === null ? '' : JSON.stringify(content, null, 2);
  };
  if (Array.isArray(b.messages)) {
    return b.messages.map((m) => {
      const mo = (m ?? {}) as Obj;
      const calls =
        Array.isArray(mo.tool_calls) && mo.tool_calls.length
          ? `\n[tool calls] ${JSON.stringify(mo.tool_calls, null, 2)}`
          : '';
      return { role: String(mo.role ?? 'message'), text: textOf(mo.content) + calls };
    });
  }
  if (b.content !== undefined) return [{ role: String(b.type ?? 'completion'), text: textOf(b.content) }];
  return [{ role: 'json', text: JSON.stringify(blueprint, null, 2) }];
}

// ---- filters and page in the URL (kept on Back, shareable)

/** URL parameter of each filter. */
const PARAM_OF: Record<keyof LogFilters, string> = {
  q: 'q',
  status: 'status',
  model: 'model',
  provider: 'provider',
  tag: 'tag',
  promptName: 'prompt',
  after: 'after',
  before: 'before',
  metadataKey: 'mkey',
  metadataValue: 'mvalue',
};

/** The query-string updates for filters and page (empty filters and page 1 are left out). */
export function logQueryOf(f: LogFilters, page: number): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, p] of Object.entries(PARAM_OF) as Array<[keyof LogFilters, string]>) out[p] = f[k] || null;
  out.page = page > 1 ? String(page) : null;
  return out;
}

/** Filters and page read back from a query string; unknown or invalid values fall back to empty / page 1. */
export function logFiltersFromQuery(search: string): { filters: LogFilters; page: number } {
  const params = new URLSearchParams(search);
  const filters = emptyLogFilters();
  for (const [k, p] of Object.entries(PARAM_OF) as Array<[keyof LogFilters, string]>) {
    const v = params.get(p);
    if (v !== null) (filters as unknown as Record<string, string>)[k] = v;
  }
  if (!['', 'SUCCESS', 'WARNING', 'ERROR'].includes(filters.status)) filters.status = '';
  const page = Number(params.get('page'));
  return { filters, page: Number.isInteger(page) && page > 1 ? page : 1 };
}

/** How many filters are set (shown on the collapsed filter toggle). */
export const activeFilterCount = (f: LogFilters): number =>
  Object.entries(f).filter(([k, v]) => v !== '' && k !== 'metadataValue').length;

/** One line of text for a table cell: whitespace collapsed, cut at `max` characters with an ellipsis. */
export function previewText(text: unknown, max = 80): string {
  const t = (typeof text === 'string' ? text : text === null || text === undefined ? '' : JSON.stringify(text))
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Scores of a log as "name value" pairs: `scores`, else the single `score` (named by score_name or "default"). */
export function scoresOf(o: Record<string, unknown>): Array<[string, number]> {
  if (o.scores && typeof o.scores === 'object' && !Array.isArray(o.scores)) {
    const entries = Object.entries(o.scores as Record<string, unknown>).filter(
      (e): e is [string, number] => typeof e[1] === 'number',
    );
    if (entries.length) return entries;
  }
  return typeof o.score === 'number' ? [[String(o.score_name ?? 'default'), o.score]] : [];
}

/** The suggestions field (GET /requests/suggestions) behind each filter input that has one. */
/** A field the suggestions route answers for (its `field` query parameter). */
export type SuggestionField = QueryOf<'/api/public/v2/requests/suggestions', 'GET'>['field'];

export const SUGGESTION_FIELD_OF: Partial<Record<keyof LogFilters, SuggestionField>> = {
  model: 'engine',
  provider: 'provider_type',
  tag: 'tags',
  promptName: 'prompt',
  metadataKey: 'metadata_keys',
  metadataValue: 'metadata_values',
};
