// Use case: stream a whole dataset version (or draft) in a chosen format, in constant memory.
import type { Caller } from '../auth/caller.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { DatasetRepository } from './dataset.repository.js';
import { cellsOf, type DatasetService } from './dataset.service.js';
import { EXPORT_FORMATS, EXPORT_WRITERS, isExportFormat, type ExportWriter } from './export/index.js';
import { inferVersionSchema } from './schema-inference.js';

/** Rows read per query: a few MB of row text at most, and few enough queries that their overhead disappears. */
const EXPORT_PAGE_ROWS = 2_000;

export interface DatasetExport {
  writer: ExportWriter;
  /** A safe ASCII file name, and the full name for `filename*`. */
  fileName: string;
  utf8FileName: string;
  body: AsyncIterable<string | Uint8Array>;
}

export class DatasetExportService {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly access: DatasetService,
  ) {}

  async exportDataset(caller: Caller, id: number, format: string): Promise<DatasetExport> {
    if (!isExportFormat(format)) throw new ValidationError(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const writer = EXPORT_WRITERS[format];
    const { dataset, group } = await this.access.getDataset(caller, id);
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${id} is still processing; export it once it is ready`);
    if (dataset.status === 'failed') throw new ConflictError(`dataset ${id} failed and has no rows to export`);
    const columns = dataset.column_names;
    const base = `${group.name}-${dataset.version_number > 0 ? `v${dataset.version_number}` : `draft-${dataset.id}`}.${writer.extension}`;
    const pages = writer.databasePages;
    let body: AsyncIterable<string | Uint8Array>;
    if (pages && columns.length <= pages.maxColumns) {
      body = pages.encode(columns, this.databasePages(id, columns.length, pages.mark));
    } else {
      // Typed formats take their column types from the data (a first streamed pass over the rows).
      const schema = writer.needsSchema ? await inferVersionSchema(this.repo, id, columns) : undefined;
      body = writer.encode(columns, this.rows(id, columns.length), schema);
    }
    return { writer, fileName: base.replace(/[^A-Za-z0-9._-]+/g, '_'), utf8FileName: base, body };
  }

  /**
   * The rows' cells, read by keyset in pages as the client consumes the stream (backpressure keeps memory flat); the
   * page is walked here, not through another per-row generator (each hop costs a promise per row).
   */
  private async *rows(id: number, width: number): AsyncGenerator<unknown[]> {
    let after = -1;
    for (;;) {
      const page = await this.repo.readRows(id, { afterIndex: after, limit: EXPORT_PAGE_ROWS });
      for (const r of page) yield cellsOf(r, width);
      if (page.length < EXPORT_PAGE_ROWS) return;
      after = page[page.length - 1].row_index;
    }
  }

  /** Pages of records the database writes (CSV): one string per page, rows it left marked for the writer. */
  private async *databasePages(id: number, width: number, mark: string): AsyncGenerator<string> {
    let after = -1;
    for (;;) {
      const page = await this.repo.readCsvPage(id, width, { afterIndex: after, limit: EXPORT_PAGE_ROWS, mark });
      if (page.text !== '') yield page.text;
      if (page.rows < EXPORT_PAGE_ROWS) return;
      after = page.lastIndex;
    }
  }
}
