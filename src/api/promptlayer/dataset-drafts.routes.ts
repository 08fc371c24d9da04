// PromptLayer's draft flow (create-draft, save-draft) plus Strata's draft editing, export and version diff routes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import type { DatasetDiffService } from '../../datasets/dataset-diff.service.js';
import type { DatasetExportService } from '../../datasets/dataset-export.service.js';
import type { DraftService } from '../../datasets/draft.service.js';
import { MAX_ROWS_PER_CALL } from '../../datasets/draft.service.js';
import { EXPORT_FORMATS } from '../../datasets/export/index.js';
import { Dataset, errorResponses, IdParam } from './common.schemas.js';
import { presentDataset } from './dataset.presenter.js';
import { presentDiff } from './diff.presenter.js';

const V2 = '/api/public/v2';

const Ok = z.object({ success: z.boolean(), message: z.string() });
const Columns = Ok.extend({ columns: z.array(z.string()) });
const RowParams = z.object({ id: z.coerce.number().int().min(1), row_id: z.coerce.number().int().min(0) });
const ColumnName = z.string().min(1).max(1000);
const Values = z.record(z.string(), z.unknown());

const DiffRowOut = z.object({ row_id: z.number().int(), row_uid: z.string().nullable(), values: Values });

export async function draftRoutes(
  app: FastifyInstance,
  opts: { drafts: DraftService; exports: DatasetExportService; diffs: DatasetDiffService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { drafts, exports, diffs } = opts;

  r.post(`${V2}/dataset-versions/create-draft`, {
    schema: {
      tags: ['drafts'],
      summary: 'Create a draft: empty (201), or copied from a version of the group (202 while rows are copied)',
      body: z.object({
        dataset_group_id: z.number().int().min(1),
        source_dataset_id: z.number().int().min(1).optional(),
      }),
      response: {
        201: Ok.extend({ draft_dataset_id: z.number().int(), dataset: Dataset }),
        202: Ok.extend({ draft_dataset_id: z.number().int(), dataset: Dataset }),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req, reply) => {
      const { draft, group, copying } = await drafts.createDraft(callerOf(req), req.body);
      return reply.code(copying ? 202 : 201).send({
        success: true,
        message: copying ? 'Draft created; rows are being copied from the source version' : 'Draft created',
        draft_dataset_id: draft.id,
        dataset: presentDataset(draft, group),
      });
    },
  });

  r.post(`${V2}/dataset-versions/save-draft`, {
    schema: {
      tags: ['drafts'],
      summary: "Save the group's draft as its next version (async)",
      body: z.object({ dataset_group_id: z.number().int().min(1) }),
      response: { 202: Ok.extend({ draft_dataset_id: z.number().int() }), ...errorResponses(400, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const draft = await drafts.saveDraft(callerOf(req), req.body);
      return reply
        .code(202)
        .send({ success: true, message: 'Draft is being saved as the next version', draft_dataset_id: draft.id });
    },
  });

  r.post(`${V2}/datasets/:id/rows`, {
    schema: {
      tags: ['drafts'],
      summary: 'Add rows to a draft ({column: value} objects; new keys become columns)',
      params: IdParam,
      body: z.object({ rows: z.array(Values).min(1).max(MAX_ROWS_PER_CALL) }),
      response: { 201: Columns.extend({ row_ids: z.array(z.number().int()) }), ...errorResponses(400, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const { rowIds, columns } = await drafts.addRows(callerOf(req), req.params.id, req.body.rows);
      return reply
        .code(201)
        .send({ success: true, message: `${rowIds.length} row(s) added`, columns, row_ids: rowIds });
    },
  });

  r.patch(`${V2}/datasets/:id/rows/:row_id`, {
    schema: {
      tags: ['drafts'],
      summary: "Update some cells of a draft's row",
      params: RowParams,
      body: z.object({ values: Values.refine((v) => Object.keys(v).length > 0, 'give at least one column') }),
      response: {
        200: Ok.extend({ row: z.object({ row_id: z.number().int(), values: Values }) }),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req) => {
      const row = await drafts.updateRow(callerOf(req), req.params.id, req.params.row_id, req.body.values);
      return { success: true, message: 'Row updated', row: { row_id: row.rowId, values: row.values } };
    },
  });

  r.delete(`${V2}/datasets/:id/rows/:row_id`, {
    schema: {
      tags: ['drafts'],
      summary: "Delete one of a draft's rows",
      params: RowParams,
      response: { 200: Ok, ...errorResponses(403, 404, 409) },
    },
    handler: async (req) => {
      const { deleted } = await drafts.deleteRows(callerOf(req), req.params.id, [req.params.row_id]);
      if (deleted.length === 0) return { success: true, message: `row ${req.params.row_id} did not exist` };
      return { success: true, message: 'Row deleted' };
    },
  });

  r.post(`${V2}/datasets/:id/rows/delete`, {
    schema: {
      tags: ['drafts'],
      summary: "Delete several of a draft's rows",
      params: IdParam,
      body: z.object({ row_ids: z.array(z.number().int().min(0)).min(1).max(10_000) }),
      response: {
        200: Ok.extend({ deleted: z.array(z.number().int()), missing: z.array(z.number().int()) }),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req) => {
      const { deleted, missing } = await drafts.deleteRows(callerOf(req), req.params.id, req.body.row_ids);
      return { success: true, message: `${deleted.length} row(s) deleted`, deleted, missing };
    },
  });

  r.post(`${V2}/datasets/:id/columns`, {
    schema: {
      tags: ['drafts'],
      summary: 'Add a column to a draft (existing rows get default_value, or null)',
      params: IdParam,
      body: z.object({ name: ColumnName, default_value: z.unknown().optional() }),
      response: { 201: Columns, ...errorResponses(400, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const columns = await drafts.addColumn(
        callerOf(req),
        req.params.id,
        req.body.name,
        req.body.default_value ?? null,
      );
      return reply.code(201).send({ success: true, message: 'Column added', columns });
    },
  });

  r.post(`${V2}/datasets/:id/columns/rename`, {
    schema: {
      tags: ['drafts'],
      summary: "Rename a draft's column",
      params: IdParam,
      body: z.object({ from: ColumnName, to: ColumnName }),
      response: { 200: Columns, ...errorResponses(400, 403, 404, 409) },
    },
    handler: async (req) => ({
      success: true,
      message: 'Column renamed',
      columns: await drafts.renameColumn(callerOf(req), req.params.id, req.body.from, req.body.to),
    }),
  });

  r.post(`${V2}/datasets/:id/columns/remove`, {
    schema: {
      tags: ['drafts'],
      summary: "Remove a draft's column and its cells",
      params: IdParam,
      body: z.object({ name: ColumnName }),
      response: { 200: Columns, ...errorResponses(400, 403, 404, 409) },
    },
    handler: async (req) => ({
      success: true,
      message: 'Column removed',
      columns: await drafts.removeColumn(callerOf(req), req.params.id, req.body.name),
    }),
  });

  r.get(`${V2}/datasets/:id/export`, {
    schema: {
      tags: ['datasets'],
      summary: 'Download a whole version (or draft) as CSV, JSON Lines or JSON (streamed)',
      params: IdParam,
      querystring: z.object({ format: z.enum(EXPORT_FORMATS).default('csv') }),
      response: {
        200: z.any().describe('The file: text/csv, application/x-ndjson or application/json'),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req, reply) => {
      const out = await exports.exportDataset(callerOf(req), req.params.id, req.query.format);
      reply
        .type(out.writer.contentType)
        .header(
          'content-disposition',
          `attachment; filename="${out.fileName}"; filename*=UTF-8''${encodeURIComponent(out.utf8FileName)}`,
        );
      return reply.send(Readable.from(out.body));
    },
  });

  const DiffCounts = z.object({
    added: z.number().int(),
    removed: z.number().int(),
    changed: z.number().int(),
    unchanged: z.number().int(),
  });
  const DiffColumns = z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    unchanged: z.array(z.string()),
  });
  const KeyRowOut = z.object({ row_id: z.number().int(), key: z.unknown(), values: Values });
  const DiffAgainst = z.coerce.number().int().min(1);
  const KeyParam = z.string().min(1).max(1000);
  r.get(`${V2}/datasets/:id/diff`, {
    schema: {
      tags: ['datasets'],
      summary:
        'What changed from version `against` to this one: columns, and rows added/removed/changed (paged); `key` matches rows by a column',
      params: IdParam,
      querystring: z.object({
        against: DiffAgainst,
        key: KeyParam.optional().describe(
          'Match rows by the value of this column (present in both versions, unique in each); changed rows list their changed cells',
        ),
        only: z
          .enum(['added', 'removed', 'changed'])
          .optional()
          .describe('Return rows of this kind only (the other lists are empty; `pages` counts this kind)'),
        page: z.coerce.number().int().min(1).default(1),
        per_page: z.coerce.number().int().min(1).max(100).default(20),
      }),
      response: {
        200: z.union([
          z.object({
            success: z.boolean(),
            dataset_id: z.number().int(),
            against_dataset_id: z.number().int(),
            match_by: z.enum(['row_identity', 'content']),
            columns: DiffColumns,
            counts: DiffCounts,
            rows: z.object({
              added: z.array(DiffRowOut),
              removed: z.array(DiffRowOut),
              changed: z.array(
                z.object({
                  row_id: z.number().int(),
                  against_row_id: z.number().int(),
                  row_uid: z.string(),
                  changed_columns: z.array(z.string()),
                  before: Values,
                  after: Values,
                }),
              ),
            }),
            page: z.number().int(),
            per_page: z.number().int(),
            pages: z.number().int(),
          }),
          z.object({
            success: z.boolean(),
            dataset_id: z.number().int(),
            against_dataset_id: z.number().int(),
            match_by: z.literal('key'),
            key: z.string(),
            columns: DiffColumns,
            counts: DiffCounts,
            rows: z.object({
              added: z.array(KeyRowOut),
              removed: z.array(KeyRowOut),
              changed: z.array(
                z.object({
                  row_id: z.number().int(),
                  against_row_id: z.number().int(),
                  key: z.unknown(),
                  changes: z.array(z.object({ column: z.string(), old: z.unknown(), new: z.unknown() })),
                  changed_columns: z.array(z.string()),
                  before: Values,
                  after: Values,
                }),
              ),
            }),
            page: z.number().int(),
            per_page: z.number().int(),
            pages: z.number().int(),
          }),
        ]),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req) => {
      const q = req.query;
      const page = { page: q.page, perPage: q.per_page, only: q.only };
      if (q.key !== undefined) {
        const d = await diffs.byKey.diff(callerOf(req), req.params.id, q.against, q.key, page);
        return presentDiff(
          d,
          {
            head: { match_by: 'key' as const, key: d.key },
            identity: (x) => ({ key: x.key }),
            changes: (x) => ({ key: x.key, changes: x.changes, changed_columns: x.changes.map((c) => c.column) }),
          },
          page,
        );
      }
      const d = await diffs.diff(callerOf(req), req.params.id, q.against, page);
      return presentDiff(
        d,
        {
          head: { match_by: d.matchBy },
          identity: (x) => ({ row_uid: x.rowUid }),
          changes: (x) => ({ row_uid: x.rowUid, changed_columns: x.changedColumns }),
        },
        page,
      );
    },
  });

  r.get(`${V2}/datasets/:id/diff/progress`, {
    schema: {
      tags: ['datasets'],
      summary:
        'Counts of a key-column diff computed step by step, streamed as NDJSON progress lines (rows compared / total), then a final line',
      params: IdParam,
      querystring: z.object({ against: DiffAgainst, key: KeyParam }),
      response: {
        200: z
          .any()
          .describe(
            'application/x-ndjson: {"type":"progress","compared","total","counts"} lines, then {"type":"done","compared","total","counts","columns"}; {"type":"error","status","error"} if it fails after the first line',
          ),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req, reply) => {
      const q = req.query;
      const steps = diffs.byKey.progress(callerOf(req), req.params.id, q.against, q.key);
      // The checks (400/404/409) run before the first step: they answer as ordinary errors, not as a stream.
      const first = await steps.next();
      const line = (o: unknown) => `${JSON.stringify(o)}\n`;
      async function* body() {
        let last = first;
        try {
          while (!last.done) {
            yield line({ type: 'progress', ...last.value });
            // A client that left (closed the page, pressed cancel) stops the work at the next step.
            // Back to the event loop between steps: the line reaches the socket now (SQLite's queries are synchronous
            // and would otherwise hold every line until the end), and a closed connection is seen.
            await new Promise((resolve) => setImmediate(resolve));
            if (req.raw.destroyed || reply.raw.destroyed) return;
            last = await steps.next();
          }
          const { total, counts } = last.value;
          yield line({
            type: 'done',
            compared: total,
            total,
            counts,
            columns: {
              added: last.value.columns.added,
              removed: last.value.columns.removed,
              unchanged: last.value.columns.common,
            },
          });
        } catch (e) {
          const status =
            typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : 500;
          req.log.error({ err: e }, 'key diff progress failed');
          yield line({
            type: 'error',
            status,
            error: status === 500 ? 'the diff failed; try again' : (e as Error).message,
          });
        } finally {
          await steps.return(undefined as never);
        }
      }
      reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store');
      return reply.send(Readable.from(body()));
    },
  });
}
