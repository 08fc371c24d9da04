// Strata's column statistics of a dataset version (GET /api/public/v2/datasets/{id}/stats), shown above the UI's grid.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { MAX_STATS_COLUMNS, type ColumnStatsService } from '../../datasets/column-stats.service.js';
import { errorResponses, IdParam } from './common.schemas.js';

const V2 = '/api/public/v2';

const StatsQuery = z.object({
  column_offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe('First column (0-based) of the page of columns'),
  column_limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_STATS_COLUMNS)
    .default(20)
    .describe(`Columns per page, at most ${MAX_STATS_COLUMNS}`),
});

const Bin = z.object({ from: z.number(), to: z.number(), count: z.number().int() });

const ColumnStatsOut = z
  .object({
    index: z.number().int(),
    name: z.string(),
    type: z
      .enum(['number', 'string', 'boolean', 'json', 'mixed', 'empty'])
      .describe(
        'Inferred from the values; text that reads as numbers (or as true/false) counts as number (or boolean); empty: only nulls and empty strings',
      ),
    count: z.number().int().describe('Cells looked at'),
    nulls: z.number().int(),
    empty: z.number().int().describe('Empty strings'),
    null_share: z.number().describe('(nulls + empty) / count'),
    kinds: z
      .object({ number: z.number().int(), string: z.number().int(), boolean: z.number().int(), json: z.number().int() })
      .describe('Non-empty values by JSON kind'),
    distinct: z.object({
      count: z.number().int(),
      approximate: z.boolean().describe('Exact up to 10,000 distinct values, then a HyperLogLog estimate (about ±2%)'),
    }),
    number: z
      .object({
        count: z.number().int(),
        from_text: z.number().int(),
        min: z.number(),
        max: z.number(),
        mean: z.number(),
        histogram: z.array(Bin),
      })
      .nullable()
      .describe(
        'Bins cover from ≤ v < to (the last includes to); whole numbers over at most 20 values get one bin per value (from = to)',
      ),
    string: z
      .object({
        count: z.number().int(),
        length: z
          .object({ min: z.number(), max: z.number(), mean: z.number(), histogram: z.array(Bin) })
          .describe('In characters (code points)'),
        top: z
          .array(z.object({ value: z.string(), count: z.number().int(), truncated: z.boolean() }))
          .describe('Up to 5 most frequent values (JSON values as their text), each cut to 120 characters'),
        top_approximate: z.boolean(),
      })
      .nullable(),
    boolean: z.object({ true: z.number().int(), false: z.number().int() }).nullable(),
    computed_at: z.string(),
  })
  .meta({ id: 'ColumnStats' });

export async function datasetStatsRoutes(app: FastifyInstance, opts: { stats: ColumnStatsService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(`${V2}/datasets/:id/stats`, {
    schema: {
      tags: ['datasets'],
      summary:
        'Column statistics of a version (Strata): computed once for a published version, on each request for a draft',
      params: IdParam,
      querystring: StatsQuery,
      response: {
        200: z.object({
          success: z.boolean(),
          dataset_id: z.number().int(),
          status: z.enum(['draft', 'ready']),
          row_count: z.number().int(),
          rows_scanned: z.number().int(),
          sampled: z
            .boolean()
            .describe('True when only every sample_step-th row was read (large versions, very wide rows)'),
          sample_step: z.number().int(),
          cached: z.boolean().describe('Served from the stored figures of a published version'),
          columns_total: z.number().int(),
          column_offset: z.number().int(),
          columns: z.array(ColumnStatsOut),
        }),
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (req) => {
      const s = await opts.stats.versionStats(callerOf(req), req.params.id, {
        columnOffset: req.query.column_offset,
        columnLimit: req.query.column_limit,
      });
      return {
        success: true,
        dataset_id: s.dataset.id,
        status: s.dataset.status === 'ready' ? ('ready' as const) : ('draft' as const),
        row_count: s.dataset.row_count,
        rows_scanned: s.rowsScanned,
        sampled: s.sampleStep > 1,
        sample_step: s.sampleStep,
        cached: s.cached,
        columns_total: s.columnsTotal,
        column_offset: s.columnOffset,
        columns: s.columns.map((c) => ({
          index: c.index,
          name: c.name,
          ...c.stats,
          computed_at: new Date(c.computedAt).toISOString(),
        })),
      };
    },
  });
}
