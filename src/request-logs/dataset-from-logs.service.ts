// Use cases that turn request logs into dataset versions: a version from filter params (async, via a job), its
// synchronous preview, and adding one log to a group's draft.
import { decodeNullableJson } from '../db/json-columns.js';
import type { DatabaseHandle } from '../db/database.js';
import type { DatasetGroupRow, DatasetRow, RequestLogRow } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { DatasetRepository } from '../datasets/dataset.repository.js';
import type { DatasetService } from '../datasets/dataset.service.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { PromptTemplateService } from '../prompt-templates/prompt-template.service.js';
import type { BuildSpec } from './build-spec.js';
import {
  cellForColumn,
  cellsFor,
  jsonColumnsFor,
  INCLUDE_FIELDS,
  planLogColumns,
  planColumns,
  type ColumnPlan,
} from './dataset-columns.js';
import { and, fromFilterGroup, fromLegacy, usesMetadata, type LogFilter } from './log-filter.js';
import {
  LEGACY_FILTER_FIELDS,
  SELECTION_FIELDS,
  type FromFilterInput,
  type LegacyFilter,
} from './log-filter.schema.js';
import type { LogOrder, MatchRow, RequestLogRepository } from './request-log.repository.js';

/** Most logs one version may hold (seed 003: limit is capped at 50,000). */
export const MAX_VERSION_ROWS = 50_000;
/** Rows a preview returns. */
export const PREVIEW_SAMPLE_ROWS = 10;
const FETCH_CHUNK = 1000;

export interface PreviewResult {
  count: number;
  columns: string[];
  rows: unknown[][];
  warnings: string[];
}

export class DatasetFromLogsService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly logs: RequestLogRepository,
    private readonly datasetRepo: DatasetRepository,
    private readonly datasets: DatasetService,
    private readonly templates: PromptTemplateService,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Checks the request, then in one transaction turns the group's editable draft (or a new one) into a processing
   * draft carrying the filter params, and enqueues the job that fills and publishes it.
   */
  async createFromFilter(
    caller: Caller,
    input: FromFilterInput,
    warnings: string[],
  ): Promise<{ draft: DatasetRow; group: DatasetGroupRow; warnings: string[] }> {
    const group = await this.datasets.getGroup(caller, input.dataset_group_id);
    const spec = this.toSpec(group.workspace_id, input, warnings);
    const draft = await this.dbh.transaction(async (trx) => {
      await this.datasetRepo.lockGroup(trx, group.id);
      const existing = await this.datasetRepo.findEditableDraft(trx, group.id);
      let d: DatasetRow;
      if (existing) {
        // Seed 003: an existing draft is reused and its filter params replaced (its rows are replaced by the job).
        await this.datasetRepo.updateDataset(trx, existing.id, {
          status: 'processing',
          origin: 'filter',
          filter_params: spec.filterParams,
          error: null,
          warnings: null,
        });
        d = {
          ...existing,
          status: 'processing',
          origin: 'filter',
          // The text just stored, read back as the repository reads it.
          filter_params: decodeNullableJson<Record<string, unknown>, null>(spec.filterParams, null),
        };
      } else {
        d = await this.datasetRepo.insertDataset(trx, {
          group_id: group.id,
          workspace_id: group.workspace_id,
          status: 'processing',
          origin: 'filter',
          filter_params: spec.filterParams,
          user_id: caller.userId,
        });
      }
      await this.jobs.enqueue(
        trx,
        'dataset.build_from_filter',
        { datasetId: d.id, spec, warnings },
        { workspaceId: group.workspace_id },
      );
      return d;
    });
    this.jobs.notify();
    return { draft, group, warnings };
  }

  /** What createFromFilter would build: the row count, the columns and the first rows. Writes nothing. */
  async preview(caller: Caller, input: FromFilterInput, warnings: string[]): Promise<PreviewResult> {
    const group = await this.datasets.getGroup(caller, input.dataset_group_id);
    const spec = this.toSpec(group.workspace_id, input, warnings);
    const { matches, plan } = await this.plan(spec);
    const rows: unknown[][] = [];
    for await (const cells of this.rows(spec, plan, matches.slice(0, PREVIEW_SAMPLE_ROWS))) rows.push(cells);
    return { count: matches.length, columns: plan.columns, rows, warnings: [...warnings, ...plan.warnings] };
  }

  /** Pass one: the ordered matching logs and the column plan. */
  async plan(spec: BuildSpec): Promise<{ matches: MatchRow[]; plan: ColumnPlan }> {
    let matches: MatchRow[];
    if (spec.source.kind === 'ids') {
      const found = new Map(
        (await this.logs.selectMatchesByIds(spec.workspaceId, spec.source.ids)).map((m) => [Number(m.id), m]),
      );
      matches = spec.source.ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : [])).slice(0, spec.limit);
    } else {
      matches = await this.logs.selectMatches(spec.workspaceId, await this.filterOf(spec), spec.order, spec.limit);
    }
    return { matches, plan: planColumns(matches, spec.columns) };
  }

  /** Pass two: full logs fetched in chunks, in pass one's order, turned into cells. */
  async *rows(spec: BuildSpec, plan: ColumnPlan, matches: MatchRow[], signal?: AbortSignal): AsyncGenerator<unknown[]> {
    // Only the JSON columns the plan reads are decoded (a log's blueprints are most of its bytes).
    const decode = jsonColumnsFor(plan);
    for (let i = 0; i < matches.length; i += FETCH_CHUNK) {
      if (signal?.aborted) throw new Error('job interrupted');
      const ids = matches.slice(i, i + FETCH_CHUNK).map((m) => Number(m.id));
      const logs = await this.logs.findByIds(spec.workspaceId, ids, decode);
      const byId = new Map(logs.map((r) => [Number(r.id), r] as const));
      for (const id of ids) {
        const log = byId.get(id);
        if (log) yield cellsFor(plan, log);
      }
    }
  }

  private async filterOf(spec: BuildSpec): Promise<LogFilter | undefined> {
    if (spec.source.kind !== 'filter') return undefined;
    const parts = await fromLegacy(spec.source.legacy, (name, labels) =>
      this.templates.versionsForLabels(spec.workspaceId, name, labels),
    );
    if (spec.source.filterGroup) parts.push(fromFilterGroup(spec.source.filterGroup));
    return parts.length > 0 ? and(parts) : undefined;
  }

  /** Checks the rules the schema cannot see and freezes the request into a job spec. Adds warnings for ignored fields. */
  toSpec(workspaceId: number, input: FromFilterInput, warnings: string[]): BuildSpec {
    (input.include_fields ?? []).forEach((f, i) => {
      if (f === 'output')
        warnings.push(
          'include_fields: "output" is always a column (the output text); use "output_blueprint" for the raw output',
        );
      else if (!(f in INCLUDE_FIELDS)) {
        throw new ValidationError(
          `include_fields.${i}: unknown field "${f}"; use one of ${Object.keys(INCLUDE_FIELDS).join(', ')}`,
          [{ path: ['include_fields', i], message: `unknown field "${f}"`, type: 'value_error' }],
        );
      }
    });
    const includeFields = [...new Set((input.include_fields ?? []).filter((f) => f !== 'output'))];
    const limit = Math.min(input.limit ?? MAX_VERSION_ROWS, MAX_VERSION_ROWS);
    const columns = {
      variablesToParse:
        input.variables_to_parse && input.variables_to_parse.length > 0
          ? [...new Set(input.variables_to_parse)]
          : undefined,
      includeFields,
      transposeMetadata: input.transpose_metadata_columns === true,
    };
    if (input.request_log_ids && input.request_log_ids.length > 0) {
      for (const f of SELECTION_FIELDS) {
        if (input[f] !== undefined)
          warnings.push(`${f} was ignored: request_log_ids selects the logs (a static snapshot, in the given order)`);
      }
      return {
        workspaceId,
        source: { kind: 'ids', ids: [...new Set(input.request_log_ids)] },
        limit,
        order: { kind: 'column', column: 'id', direction: 'asc' },
        columns,
        filterParams: null,
      };
    }
    if (input.filter_group) {
      const compiled = fromFilterGroup(input.filter_group);
      if (
        columns.transposeMetadata &&
        !(input.metadata_and?.length || input.metadata_or?.length) &&
        !usesMetadata(compiled)
      ) {
        throw new ValidationError(
          'transpose_metadata_columns requires metadata_and or metadata_or (or a metadata condition in filter_group)',
          [{ path: ['transpose_metadata_columns'], message: 'requires metadata filters', type: 'value_error' }],
        );
      }
    }
    const order: LogOrder = input.order_by_random
      ? { kind: 'random' }
      : { kind: 'column', column: input.sort_by ?? 'request_start_time', direction: input.sort_order ?? 'desc' };
    const filterParams: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input))
      if (v !== undefined && k !== 'dataset_group_id' && k !== 'request_log_ids') filterParams[k] = v;
    return {
      workspaceId,
      source: { kind: 'filter', legacy: pickLegacy(input), filterGroup: input.filter_group },
      limit,
      order,
      columns,
      filterParams: JSON.stringify(filterParams),
    };
  }

  /** Appends one log as a row of the group's editable draft, adding the columns it brings. */
  async addRequestLog(
    caller: Caller,
    input: { dataset_group_id: number; request_log_id: number },
  ): Promise<DatasetRow> {
    const group = await this.datasets.getGroup(caller, input.dataset_group_id);
    const log: RequestLogRow | undefined = await this.logs.findById(group.workspace_id, input.request_log_id);
    if (!log) throw new NotFoundError('request log', input.request_log_id);
    return this.dbh.transaction(async (trx) => {
      await this.datasetRepo.lockGroup(trx, group.id);
      const draft = await this.datasetRepo.findEditableDraft(trx, group.id);
      if (!draft) throw new NotFoundError(`a draft of dataset group ${group.id} (create one first)`);
      const columns = [...draft.column_names];
      const own = planLogColumns(log);
      for (const c of own.columns) if (!columns.includes(c)) columns.push(c);
      const index = await this.datasetRepo.nextRowIndex(trx, draft.id);
      await this.datasetRepo.insertRows(trx, draft.id, index, [
        { data: JSON.stringify(columns.map((c) => cellForColumn(c, log, own))) },
      ]);
      // The next row index is not the row count: deleted rows leave gaps in the indexes.
      const rowCount = draft.row_count + 1;
      await this.datasetRepo.updateDataset(trx, draft.id, {
        column_names: JSON.stringify(columns),
        row_count: rowCount,
      });
      return { ...draft, column_names: columns, row_count: rowCount };
    });
  }
}

/** The legacy filter fields of a request (what `fromLegacy` compiles), as the job spec stores them. */
function pickLegacy(input: FromFilterInput): LegacyFilter {
  return Object.fromEntries(LEGACY_FILTER_FIELDS.map((f) => [f, input[f]]));
}
