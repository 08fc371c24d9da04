// The wire shapes of request-log selection: seed 003's legacy filter fields, the structured (recursive) `filter_group`
// and the from-filter-params body built from them. The one source of their validation, TypeScript types, field lists
// and OpenAPI: the route validates with these schemas, the services take their `z.infer` types.
//
// Adding a filter field: add it to `legacyFilterShape` (or a field name to log-filter.ts's FIELDS for filter_group),
// then compile it in log-filter.ts (`fromLegacy` / `condition`) and, for a new kind of test, its SQL in the repository.
// Everything else (known-field warnings, the job spec, the "ignored with request_log_ids" warning) follows from here.
import { z } from 'zod';
import { MAX_INT32 } from '../input-limits.js';
import { isIsoTime, parseIsoTime } from '../iso-time.js';
import { FILTER_FIELD_NAMES, FILTER_GROUP_MAX_CONDITIONS, OPERATORS_BY_TYPE } from './log-filter.js';

const DateTime = z
  .string()
  .refine(isIsoTime, 'must be an ISO 8601 date-time, e.g. 2026-04-22T17:00:00Z (UTC when no offset is given)');
const MetaValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => String(v))
  .describe('Compared as a string');
const MetaPair = z.object({ key: z.string().min(1).max(1024), value: MetaValue });
const TemplateRef = z.object({
  name: z.string().min(1).max(512),
  version_numbers: z.array(z.number().int().min(1).max(MAX_INT32)).max(1000).optional(),
  labels: z.array(z.string().min(1).max(256)).max(100).optional(),
});
const Score = z.object({
  name: z.string().min(1).max(256),
  operator: z.enum(['>', '<', '>=', '<=', '=']),
  value: z.number().min(-1e12).max(1e12),
});

// ---- the structured filter_group (PromptLayer's /requests/search and from-filter-params)

const FilterScalar = z.union([z.string(), z.number(), z.boolean()]);
const FilterValue = z
  .union([FilterScalar, z.array(FilterScalar)], { error: 'must be a string, number or boolean, or a list of them' })
  .nullable()
  .describe('A string, number or boolean; a list of them for in/not_in/between ([from, to])');

const operatorsText = Object.entries(OPERATORS_BY_TYPE)
  .map(([type, ops]) => `${type}: ${ops.join('/')}`)
  .join('; ');

// Loose: keys a client adds are kept (from-filter-params stores the group as sent) and named in search warnings.
export const FilterConditionSchema = z
  .looseObject({
    field: z.string().describe(`One of ${FILTER_FIELD_NAMES.join(', ')}`),
    operator: z.string().describe(`Depends on the field's type: ${operatorsText}`),
    value: FilterValue.optional(),
    nested_key: z
      .string()
      .optional()
      .describe('For metadata, input_variables and scores: the key (a dot path for input_variables)'),
  })
  .meta({ id: 'FilterCondition' });

/**
 * A group item is a group when it has `filters`, else a condition. When neither fits, the message follows the one the
 * client meant (zod's own would only say "Invalid input").
 */
function filterItemError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  if (!input || typeof input !== 'object' || Array.isArray(input) || !('errors' in issue))
    return 'must be a condition {field, operator, value?, nested_key?} or a group {logic?, filters}';
  const meant = issue.errors['filters' in input ? 0 : 1] ?? [];
  return meant.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export const FilterGroupSchema = z
  .looseObject({
    logic: z.enum(['AND', 'OR']).optional().describe('Default AND'),
    get filters(): z.ZodArray<typeof FilterItem> {
      return z.array(FilterItem).max(FILTER_GROUP_MAX_CONDITIONS);
    },
  })
  // One .meta() call: a later .describe() would be a copy without the id, and the recursion would lose its $ref.
  .meta({
    id: 'FilterGroup',
    description: 'Structured filters: {logic, filters:[{field, operator, value, nested_key?} | group]}',
  });
const FilterItem: z.ZodUnion<[typeof FilterGroupSchema, typeof FilterConditionSchema]> = z.union(
  [FilterGroupSchema, FilterConditionSchema],
  { error: filterItemError },
);

export type FilterCondition = z.infer<typeof FilterConditionSchema>;
export type FilterGroup = z.infer<typeof FilterGroupSchema>;

/** The keys a group and a condition define (anything else is reported as ignored). */
export const FILTER_GROUP_KEYS: ReadonlySet<string> = new Set(FilterGroupSchema.keyof().options);
export const FILTER_CONDITION_KEYS: ReadonlySet<string> = new Set(FilterConditionSchema.keyof().options);

// ---- seed 003's legacy fields and the from-filter-params body

/** The fields that select logs by value; each becomes one conjunct in log-filter.ts's `fromLegacy`. */
const legacyFilterShape = {
  start_time: DateTime.optional().describe('Logs with request_start_time at or after this instant'),
  end_time: DateTime.optional().describe('Logs with request_start_time at or before this instant'),
  q: z.string().max(1000).optional(),
  id: z.number().int().min(1).optional(),
  starred: z.boolean().optional().describe('true: only starred logs; false: no starred filter'),
  metadata_and: z.array(MetaPair).max(100).optional(),
  metadata_or: z.array(MetaPair).max(100).optional(),
  tags_and: z.array(z.string().min(1).max(256)).max(100).optional(),
  tags_or: z.array(z.string().min(1).max(256)).max(100).optional(),
  prompt_templates_include: z.array(TemplateRef).max(100).optional(),
  prompt_templates_exclude: z.array(TemplateRef).max(100).optional(),
  scores: z.array(Score).max(100).optional(),
  status: z
    .array(z.enum(['SUCCESS', 'WARNING', 'ERROR']))
    .max(3)
    .optional(),
};
const LegacyFilterSchema = z.object(legacyFilterShape);
export type LegacyFilter = z.infer<typeof LegacyFilterSchema>;
export type TemplateRef = z.infer<typeof TemplateRef>;
export const LEGACY_FILTER_FIELDS = LegacyFilterSchema.keyof().options;

/** Everything that chooses or orders the logs: ignored (with a warning) when request_log_ids is given. */
const selectionShape = {
  ...legacyFilterShape,
  filter_group: FilterGroupSchema.optional(),
  order_by_random: z.boolean().optional(),
  sort_by: z
    .enum(['request_start_time', 'input_tokens', 'output_tokens', 'price', 'score', 'latency', 'prompt_name', 'status'])
    .optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
};
export const SELECTION_FIELDS = z.object(selectionShape).keyof().options;

/**
 * Seed 003's body plus request_log_ids and filter_group. Unknown keys are dropped by validation (the route reports them
 * as warnings from the raw body, see `unknownFromFilterFields`).
 */
export const FromFilterBody = z
  .object({
    dataset_group_id: z
      .number()
      .int()
      .min(1)
      .describe('ID of the dataset group where the new version will be created.'),
    variables_to_parse: z.array(z.string().min(1).max(256)).max(1000).optional(),
    limit: z
      .number()
      .int()
      .min(0)
      .max(50_000)
      .optional()
      .describe('Maximum number of logs (0..50,000; default 50,000)'),
    ...selectionShape,
    include_fields: z.array(z.string().min(1).max(256)).max(100).optional(),
    transpose_metadata_columns: z.boolean().optional(),
    request_log_ids: z
      .array(z.number().int().min(1))
      .min(1)
      .max(50_000)
      .optional()
      .describe('A static snapshot of these logs; wins over filters'),
  })
  .superRefine((b, ctx) => {
    if (b.order_by_random === true && b.limit === undefined) {
      ctx.addIssue({ code: 'custom', path: ['order_by_random'], message: 'order_by_random requires limit to be set' });
    }
    const hasMetadata = (b.metadata_and?.length ?? 0) > 0 || (b.metadata_or?.length ?? 0) > 0;
    if (b.transpose_metadata_columns === true && !hasMetadata && !b.filter_group && !b.request_log_ids) {
      ctx.addIssue({
        code: 'custom',
        path: ['transpose_metadata_columns'],
        message: 'transpose_metadata_columns requires metadata_and or metadata_or to be set',
      });
    }
    if (
      b.start_time !== undefined &&
      b.end_time !== undefined &&
      parseIsoTime(b.start_time) > parseIsoTime(b.end_time)
    ) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'end_time must not be before start_time' });
    }
  });
export type FromFilterInput = z.infer<typeof FromFilterBody>;

/** The object schema of the items of a list-of-objects field (metadata_and, scores, ...), if `s` is one. */
function listItemShape(s: z.ZodType): Record<string, unknown> | undefined {
  const list = s instanceof z.ZodOptional ? s.unwrap() : s;
  return list instanceof z.ZodArray && list.element instanceof z.ZodObject ? list.element.shape : undefined;
}
const TOP_KEYS = new Set(Object.keys(FromFilterBody.shape));
const ITEM_KEYS = Object.entries(FromFilterBody.shape).flatMap(([field, s]) => {
  const shape = listItemShape(s);
  return shape ? [[field, new Set(Object.keys(shape))] as const] : [];
});

/** Keys of a raw from-filter-params body that validation drops, top-level or inside the object lists, as paths. */
export function unknownFromFilterFields(body: unknown): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  const raw = body as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !TOP_KEYS.has(k));
  for (const [field, known] of ITEM_KEYS) {
    const list = raw[field];
    if (!Array.isArray(list)) continue;
    list.forEach((item, i) => {
      if (item && typeof item === 'object')
        for (const k of Object.keys(item)) if (!known.has(k)) unknown.push(`${field}.${i}.${k}`);
    });
  }
  return unknown;
}
