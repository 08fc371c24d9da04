// PromptLayer-compatible dataset routes (/api/public/v2): groups, versions from files, listing, rows, delete.
import fsp from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { callerOf } from '../../http/auth-hook.js';
import type { DatasetService } from '../../datasets/dataset.service.js';
import { spoolJsonUpload, type SpooledFile } from '../../datasets/upload-spooler.js';
import { isIsoTime, parseIsoTime } from '../../iso-time.js';
import { Dataset, DatasetGroup, errorResponses, IdParam } from './common.schemas.js';
import { presentDataset, presentGroup, presentRows } from './dataset.presenter.js';
import { MAX_INT32 } from '../../input-limits.js';
import { pageCount } from '../paging.js';

const V2 = '/api/public/v2';

const CreateGroupBody = z.object({
  name: z.string().min(1).describe('Name of the dataset group. Must be unique within the workspace.'),
  workspace_id: z.number().int().min(1).optional().describe('Defaults to the workspace of your API key.'),
});

const FromFileBody = z.object({
  dataset_group_id: z.number().int().min(1),
  file_name: z.string().min(1).max(255).describe('Must end with .csv, .json, .jsonl or .parquet'),
  file_content_base64: z.string().min(1).describe('Base64 of the file; at most 100 MB decoded'),
});

const QueryTime = z.string().refine(isIsoTime, 'must be an ISO 8601 date-time (UTC when no offset is given)');
const QueryId = z.coerce.number().int().min(1).max(MAX_INT32);

/** PromptLayer's documented list filters (and Strata's include_failed); unknown keys pass through to be named in warnings. */
const ListDatasetsQuery = z.looseObject({
  dataset_group_id: z.coerce.number().int().min(1).optional(),
  prompt_id: QueryId.optional().describe('Strata links no dataset to a prompt: matches none (with a warning)'),
  prompt_version_id: QueryId.optional().describe(
    'Strata links no dataset to a prompt version: matches none (with a warning)',
  ),
  prompt_label_id: QueryId.optional().describe(
    'Strata links no dataset to a prompt label: matches none (with a warning)',
  ),
  report_id: QueryId.optional().describe('Strata has no reports: matches none (with a warning)'),
  workspace_id: QueryId.optional().describe('A workspace you can access; default your own'),
  created_by_email: z.string().min(1).max(320).optional().describe("The creator's email (case-insensitive)"),
  created_after: QueryTime.optional(),
  created_before: QueryTime.optional(),
  updated_after: QueryTime.optional(),
  updated_before: QueryTime.optional(),
  external_source: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('With external_id; Strata stores no external ids: matches none (with a warning)'),
  external_id: z.string().min(1).max(512).optional(),
  name: z.string().max(1000).optional().describe('Partial, case-insensitive match on the dataset group name'),
  status: z.enum(['active', 'deleted', 'all']).default('active'),
  include_failed: z.enum(['true', 'false']).default('false').describe('Strata: also list failed drafts'),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(10),
  sort_by: z.enum(['created_at', 'updated_at', 'name', 'id']).default('created_at'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
});

const RowsQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    per_page: z.coerce.number().int().min(1).max(100).default(10),
    q: z.string().max(1000).optional().describe('Case-insensitive search in cell values'),
    cursor: z
      .string()
      .max(100)
      .optional()
      .describe('Strata: keyset cursor from next_cursor; page is ignored when given'),
    sort: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe(
        'Strata: column to sort by (null first, numbers and numeric text by value, then text); a sorted view is paged by page, next_cursor is null',
      ),
    order: z.enum(['asc', 'desc']).default('asc').describe('Strata: sort order'),
  })
  // `filter[<column>]=text`: rows whose cell in that column contains the text (case-insensitive); several must all match.
  .catchall(z.string().max(1000));

/** The `filter[<column>]` parameters of a rows query, as column → text. */
function filtersOf(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    const m = /^filter\[(.+)\]$/s.exec(k);
    if (m && typeof v === 'string') out[m[1]] = v;
  }
  return out;
}

const GroupListQuery = z.object({
  // Bounded like every other search text: SQLite refuses LIKE patterns over 50,000 bytes (PostgreSQL does not).
  name: z.string().max(1000).optional(),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(10),
});

const LIST_FIELDS = new Set(Object.keys(ListDatasetsQuery.shape));
/** Documented filters on links Strata does not keep: honoured literally (no dataset has such a link), and said so. */
const UNLINKED_FILTERS: Record<string, string> = {
  prompt_id: 'prompt templates',
  prompt_version_id: 'prompt versions',
  prompt_label_id: 'prompt labels',
  report_id: 'reports',
  external_source: 'external ids',
  external_id: 'external ids',
};

function listWarnings(q: Record<string, unknown>): { warnings: string[]; matchesNone: boolean } {
  const warnings: string[] = [];
  let matchesNone = false;
  for (const key of Object.keys(q)) {
    if (!LIST_FIELDS.has(key)) warnings.push(`"${key}" is not a filter of /datasets; ignored`);
    else if (key in UNLINKED_FILTERS && q[key] !== undefined) {
      matchesNone = true;
      warnings.push(`"${key}": Strata does not link datasets to ${UNLINKED_FILTERS[key]}, so no dataset matches`);
    }
  }
  return { warnings, matchesNone };
}

export interface DatasetRouteOptions {
  datasets: DatasetService;
  uploadBodyLimit: number;
  maxFileBytes: number;
  /** Where upload bodies are decoded to while they stream in. */
  uploadTmpDir: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    spooledFile?: SpooledFile;
  }
}

export async function promptLayerDatasetRoutes(app: FastifyInstance, opts: DatasetRouteOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { datasets } = opts;

  r.post(`${V2}/dataset-groups`, {
    schema: {
      tags: ['datasets'],
      summary: 'Create a dataset group (and its draft version -1)',
      body: CreateGroupBody,
      response: {
        201: z.object({ success: z.boolean(), message: z.string(), dataset_group: DatasetGroup, dataset: Dataset }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (req, reply) => {
      const { group, draft } = await datasets.createGroup(callerOf(req), req.body);
      return reply.code(201).send({
        success: true,
        message: 'Dataset group created successfully',
        dataset_group: presentGroup(group),
        dataset: presentDataset(draft, group),
      });
    },
  });

  r.get(`${V2}/dataset-groups`, {
    schema: {
      tags: ['datasets'],
      summary: 'List dataset groups (Strata)',
      querystring: GroupListQuery,
      response: {
        200: z.object({
          success: z.boolean(),
          dataset_groups: z.array(DatasetGroup),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
          pages: z.number(),
        }),
      },
    },
    handler: async (req) => {
      const { rows, total } = await datasets.listGroups(callerOf(req), {
        name: req.query.name,
        page: req.query.page,
        perPage: req.query.per_page,
      });
      return {
        success: true,
        dataset_groups: rows.map(presentGroup),
        page: req.query.page,
        per_page: req.query.per_page,
        total,
        pages: pageCount(total, req.query.per_page),
      };
    },
  });

  r.get(`${V2}/dataset-groups/:id`, {
    schema: {
      tags: ['datasets'],
      summary: 'A dataset group with its versions and drafts (Strata)',
      params: IdParam,
      response: {
        200: z.object({ success: z.boolean(), dataset_group: DatasetGroup, datasets: z.array(Dataset) }),
        ...errorResponses(403, 404),
      },
    },
    handler: async (req) => {
      const { group, datasets: versions } = await datasets.getGroupWithVersions(callerOf(req), req.params.id);
      return {
        success: true,
        dataset_group: presentGroup(group),
        datasets: versions.map((d) => presentDataset(d, group)),
      };
    },
  });

  r.delete(`${V2}/dataset-groups/:id`, {
    schema: {
      tags: ['datasets'],
      summary: 'Soft-delete a dataset group and its versions',
      params: IdParam,
      response: {
        200: z.object({ success: z.boolean(), message: z.string(), dataset_group: DatasetGroup }),
        ...errorResponses(403, 404),
      },
    },
    handler: async (req) => {
      const group = await datasets.deleteGroup(callerOf(req), req.params.id);
      return { success: true, message: 'Dataset group deleted', dataset_group: presentGroup(group) };
    },
  });

  // The upload route streams its JSON body: the base64 file is decoded to a temporary file as it arrives.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', (req, payload, done) => {
      spoolJsonUpload(payload, {
        field: 'file_content_base64',
        maxBytes: opts.maxFileBytes,
        maxBodyBytes: opts.uploadBodyLimit,
        tmpDir: opts.uploadTmpDir,
      }).then(
        ({ body, file }) => {
          req.spooledFile = file;
          done(null, body);
        },
        (err: Error) => done(err, undefined),
      );
    });
    // A request rejected before the handler (auth, validation) must not leave its temporary file behind.
    scope.addHook('onResponse', async (req) => {
      if (req.spooledFile) await fsp.rm(req.spooledFile.path, { force: true });
    });
    const u = scope.withTypeProvider<ZodTypeProvider>();
    u.post(`${V2}/dataset-versions/from-file`, {
      bodyLimit: opts.uploadBodyLimit,
      config: { auth: 'api_key' },
      schema: {
        tags: ['datasets'],
        summary: 'Create a dataset version from a CSV, JSON, JSONL or Parquet file (async)',
        body: FromFileBody,
        response: {
          201: z.object({ success: z.boolean(), message: z.string(), dataset_id: z.number().int() }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
      handler: async (req, reply) => {
        const draft = await datasets.createVersionFromFile(callerOf(req), { ...req.body, file: req.spooledFile });
        return reply
          .code(201)
          .send({ success: true, message: 'Dataset version creation job queued', dataset_id: draft.id });
      },
    });
  });

  r.get(`${V2}/datasets`, {
    schema: {
      tags: ['datasets'],
      summary: 'List dataset versions',
      querystring: ListDatasetsQuery,
      response: {
        200: z.object({
          success: z.boolean(),
          message: z.string(),
          datasets: z.array(
            Dataset.extend({ external_ids: z.array(z.object({ source: z.string(), external_id: z.string() })) }),
          ),
          page: z.number(),
          per_page: z.number(),
          total: z.number(),
          pages: z.number(),
          warnings: z.array(z.string()).describe('Strata: filters it could not honour as PromptLayer does, and why'),
        }),
        ...errorResponses(400),
      },
    },
    handler: async (req) => {
      const q = req.query;
      if ((q.external_source === undefined) !== (q.external_id === undefined))
        throw new ValidationError('external_source and external_id must be given together');
      const { warnings, matchesNone } = listWarnings(q);
      const time = (v: string | undefined) => (v === undefined ? undefined : parseIsoTime(v));
      const { rows, total } = matchesNone
        ? { rows: [], total: 0 }
        : await datasets.listDatasets(callerOf(req), {
            workspaceId: q.workspace_id,
            groupId: q.dataset_group_id,
            groupName: q.name,
            createdByEmail: q.created_by_email,
            createdAfter: time(q.created_after),
            createdBefore: time(q.created_before),
            updatedAfter: time(q.updated_after),
            updatedBefore: time(q.updated_before),
            deleted: q.status,
            includeFailed: q.include_failed === 'true',
            sortBy: q.sort_by,
            sortOrder: q.sort_order,
            offset: (q.page - 1) * q.per_page,
            limit: q.per_page,
          });
      return {
        success: true,
        message: 'Datasets retrieved successfully',
        datasets: rows.map((d) => ({
          ...presentDataset(d, {
            id: d.group_id,
            name: d.group_name,
            workspace_id: d.workspace_id,
            is_deleted: d.group_is_deleted,
          }),
          external_ids: [],
        })),
        page: q.page,
        per_page: q.per_page,
        total,
        pages: pageCount(total, q.per_page),
        warnings,
      };
    },
  });

  r.get(`${V2}/datasets/:id`, {
    schema: {
      tags: ['datasets'],
      summary: 'One dataset version (Strata)',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), dataset: Dataset }), ...errorResponses(403, 404) },
    },
    handler: async (req) => {
      const { dataset, group } = await datasets.getDataset(callerOf(req), req.params.id);
      return { success: true, dataset: presentDataset(dataset, group) };
    },
  });

  r.delete(`${V2}/datasets/:id`, {
    schema: {
      tags: ['datasets'],
      summary: 'Soft-delete a dataset version',
      params: IdParam,
      response: { 200: z.object({ success: z.boolean(), message: z.string() }), ...errorResponses(403, 404, 409) },
    },
    handler: async (req) => {
      await datasets.deleteDataset(callerOf(req), req.params.id);
      return { success: true, message: 'Dataset deleted' };
    },
  });

  r.get(`${V2}/datasets/:id/rows`, {
    schema: {
      tags: ['datasets'],
      summary: 'Rows of a dataset version, by page or keyset cursor',
      params: IdParam,
      querystring: RowsQuery,
      response: {
        200: z.object({
          success: z.boolean(),
          message: z.string(),
          columns: z.array(z.string()),
          rows: z.array(z.array(z.object({ type: z.literal('dataset'), value: z.unknown() }))),
          page: z.number(),
          per_page: z.number(),
          pages: z.number(),
          total: z.number(),
          next_cursor: z.string().nullable(),
          row_ids: z.array(z.number().int()).describe("Strata: each row's id, aligned with rows (for editing a draft)"),
        }),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const page = await datasets.readRows(callerOf(req), req.params.id, {
        page: q.page,
        perPage: q.per_page,
        q: q.q,
        cursor: q.cursor,
        sort: q.sort,
        order: q.order,
        filters: filtersOf(q),
      });
      return {
        success: true,
        message: 'Rows retrieved successfully',
        columns: page.columns,
        rows: presentRows(page.rows),
        page: q.page,
        per_page: q.per_page,
        pages: pageCount(page.total, q.per_page),
        total: page.total,
        next_cursor: page.nextCursor,
        row_ids: page.rowIds,
      };
    },
  });
}
