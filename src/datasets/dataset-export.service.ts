// Use case: stream a whole dataset version (or draft) in a chosen format, in constant memory.
import type { Caller } from '../auth/caller.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { DatasetRepository } from './dataset.repository.js';
import { cellsOf, type DatasetService } from './dataset.service.js';
import {
  EXPORT_FORMATS,
  EXPORT_WRITERS,
  isExportFormat,
  type ExportFormat,
  type ExportWriter,
} from './export/index.js';
import { csvPages, rowPages } from './export/keyset-pages.js';
import { EXPORT_THREADS, exportInThread, exportThreadsAvailable } from './export/threaded-export.js';
import { inferVersionSchema } from './schema-inference.js';

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
    /** The SQLite file a worker thread reads the database's pages from (threaded-export.ts); none on PostgreSQL. */
    private readonly threadFile?: string,
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
      // A ready version's rows cannot change: its pages may be read by several threads, each its own snapshot.
      body = this.databasePages(id, format, columns, pages, dataset.status === 'ready' ? EXPORT_THREADS : 1);
    } else {
      // Typed formats take their column types from the data (a first streamed pass over the rows).
      const schema = writer.needsSchema ? await inferVersionSchema(this.repo, id, columns) : undefined;
      body = writer.encode(columns, this.rows(id, columns.length), schema);
    }
    return { writer, fileName: base.replace(/[^A-Za-z0-9._-]+/g, '_'), utf8FileName: base, body };
  }

  /**
   * The records the database writes: from up to `threadCount` export threads on SQLite (as many as are free when the
   * body starts; the check and the threads' start run in one synchronous step), else read in process.
   */
  private async *databasePages(
    id: number,
    format: ExportFormat,
    columns: string[],
    pages: NonNullable<ExportWriter['databasePages']>,
    threadCount: number,
  ): AsyncGenerator<string | Uint8Array> {
    const threads = this.threadFile ? exportThreadsAvailable(threadCount) : 0;
    if (this.threadFile && threads > 0)
      yield* exportInThread({ file: this.threadFile, datasetId: id, format, columns }, threads);
    else yield* pages.encode(columns, csvPages(this.repo, id, columns.length, pages.mark));
  }

  /** The rows' cells, page by page as the client consumes the stream (backpressure keeps memory flat). */
  private async *rows(id: number, width: number): AsyncGenerator<unknown[]> {
    for await (const page of rowPages(this.repo, id)) for (const r of page) yield cellsOf(r, width);
  }
}
