// Use case "column statistics of a version": computed over every row (or an even sample past a bound), stored for
// published versions (their rows never change; the column_stats job computes the first page right after publication)
// and recomputed on each request for drafts (they change).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Caller } from '../auth/caller.js';
import type { DatasetRow } from '../db/schema.js';
import { ConflictError } from '../errors.js';
import { ColumnStatsAccumulator, type ColumnStats } from './column-stats.js';
import type { CachedColumnStats, ColumnStatsRepository } from './column-stats.repository.js';
import type { DatasetService } from './dataset.service.js';

/** Rows parsed × columns per row: bounds the work of one computation (10,000 columns → about 1,250 rows). */
const CELL_BUDGET = 12_500_000;
/** Published versions are computed once, so they may read more rows than a draft, which is recomputed on every request. */
const ROW_CAP = { published: 250_000, draft: 50_000 } as const;
export const MAX_STATS_COLUMNS = 50;
/** Rows parsed between two turns of the event loop: a scan of 250,000 rows (about 1 s) never holds up requests. */
const ROWS_PER_TURN = 1_000;
/** Columns the UI shows first: the ones computed right after publication. */
export const FIRST_PAGE_COLUMNS = 20;

export interface ColumnStatsEntry {
  index: number;
  name: string;
  stats: ColumnStats;
  computedAt: number;
}

export interface VersionStats {
  dataset: DatasetRow;
  columnsTotal: number;
  columnOffset: number;
  rowsScanned: number;
  /** Every `sampleStep`-th row was read (1: every row). */
  sampleStep: number;
  cached: boolean;
  columns: ColumnStatsEntry[];
}

/** Every `sampleStep`-th row is read so that one computation stays within its row cap and the cell budget. */
function sampleStepOf(dataset: DatasetRow, columnCount: number): number {
  const cap = dataset.status === 'ready' ? ROW_CAP.published : ROW_CAP.draft;
  const rowCap = Math.max(1, Math.min(cap, Math.floor(CELL_BUDGET / Math.max(1, columnCount))));
  return dataset.row_count > rowCap ? Math.ceil(dataset.row_count / rowCap) : 1;
}

export function toStored(columns: ColumnStatsEntry[]): CachedColumnStats[] {
  return columns.map((c) => ({
    column_index: c.index,
    column_name: c.name,
    stats: c.stats,
    rows_scanned: c.stats.count,
    computed_at: c.computedAt,
  }));
}

export class ColumnStatsService {
  /** One computation per published version and column page at a time; concurrent first requests share it. */
  private readonly inFlight = new Map<string, Promise<ColumnStatsEntry[]>>();

  constructor(
    private readonly repo: ColumnStatsRepository,
    private readonly datasets: DatasetService,
  ) {}

  async versionStats(
    caller: Caller,
    id: number,
    page: { columnOffset: number; columnLimit: number },
  ): Promise<VersionStats> {
    const { dataset } = await this.datasets.getDataset(caller, id);
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${id} is still processing; its statistics are available once it is ready`);
    if (dataset.status === 'failed')
      throw new ConflictError(`dataset ${id} failed: ${dataset.error ?? 'unknown error'}`);
    const names = dataset.column_names;
    const from = Math.min(page.columnOffset, names.length);
    const to = Math.min(names.length, from + Math.min(page.columnLimit, MAX_STATS_COLUMNS));
    const sampleStep = sampleStepOf(dataset, names.length);

    let columns: ColumnStatsEntry[];
    let cached = false;
    if (dataset.status !== 'ready') {
      columns = await this.compute(dataset, from, to);
    } else {
      const hits = await this.repo.readCached(id, from, to);
      if (hits.length === to - from) {
        cached = true;
        columns = hits.map((h) => ({
          index: h.column_index,
          name: h.column_name,
          stats: h.stats,
          computedAt: Number(h.computed_at),
        }));
      } else {
        const key = `${id}:${from}:${to}`;
        let run = this.inFlight.get(key);
        if (!run) {
          run = this.computeAndStore(dataset, from, to).finally(() => this.inFlight.delete(key));
          this.inFlight.set(key, run);
        }
        columns = await run;
      }
    }
    return {
      dataset,
      columnsTotal: names.length,
      columnOffset: from,
      rowsScanned: columns[0]?.stats.count ?? Math.ceil(dataset.row_count / sampleStep),
      sampleStep,
      cached,
      columns,
    };
  }

  private async computeAndStore(dataset: DatasetRow, from: number, to: number): Promise<ColumnStatsEntry[]> {
    const columns = await this.compute(dataset, from, to);
    await this.repo.writeCached(this.repo.executor, dataset.id, toStored(columns));
    return columns;
  }

  /** One pass over the rows for the columns [from, to); stops with an error when `signal` aborts. */
  async compute(dataset: DatasetRow, from: number, to: number, signal?: AbortSignal): Promise<ColumnStatsEntry[]> {
    const names = dataset.column_names;
    const acc = names.slice(from, to).map(() => new ColumnStatsAccumulator());
    if (acc.length > 0) {
      // Big chunks save round trips (PostgreSQL spends most of a scan on them); wide rows get smaller ones.
      const chunk = Math.max(50, Math.min(10_000, Math.floor(200_000 / Math.max(1, names.length))));
      let n = 0;
      for await (const row of this.repo.scanRows(dataset.id, sampleStepOf(dataset, names.length), chunk)) {
        if (++n % ROWS_PER_TURN === 0) {
          signal?.throwIfAborted();
          // SQLite reads are synchronous and an async generator only yields microtasks: without a turn of the event
          // loop the whole scan would run before any waiting request is answered.
          await nextTurn();
        }
        const cells = parseCells(row.data);
        for (let i = 0; i < acc.length; i++) acc[i].add(cells[from + i]);
      }
    }
    const now = Date.now();
    return acc.map((a, i) => ({ index: from + i, name: names[from + i], stats: a.result(), computedAt: now }));
  }
}

/** A stored row's cells; a row that is not a JSON array (never written by Strata) reads as all nulls rather than failing. */
function parseCells(data: string): unknown[] {
  try {
    const v: unknown = JSON.parse(data);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
