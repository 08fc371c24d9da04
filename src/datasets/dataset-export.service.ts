// Use case: stream a whole dataset version (or draft) in a chosen format, in constant memory.
import type { Caller } from '../auth/caller.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { DatasetRepository } from './dataset.repository.js';
import { cellsOf, type DatasetService } from './dataset.service.js';
import { EXPORT_FORMATS, EXPORT_WRITERS, isExportFormat, type ExportWriter } from './export/index.js';
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
  ) {}

  async exportDataset(caller: Caller, id: number, format: string): Promise<DatasetExport> {
    if (!isExportFormat(format)) throw new ValidationError(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const writer = EXPORT_WRITERS[format];
    const { dataset, group } = await this.access.getDataset(caller, id);
    if (dataset.status === 'processing')
      throw new ConflictError(`dataset ${id} is still processing; export it once it is ready`);
    if (dataset.status === 'failed') throw new ConflictError(`dataset ${id} failed and has no rows to export`);
    const columns = dataset.column_names;
    const repo = this.repo;
    // Rows are read by keyset in chunks as the client consumes the stream (backpressure keeps memory flat).
    const rows = (async function* () {
      for await (const r of repo.iterateRows(id, 1000)) yield cellsOf(r, columns.length);
    })();
    const base = `${group.name}-${dataset.version_number > 0 ? `v${dataset.version_number}` : `draft-${dataset.id}`}.${writer.extension}`;
    // Typed formats take their column types from the data (a first streamed pass over the rows).
    const schema = writer.needsSchema ? await inferVersionSchema(repo, id, columns) : undefined;
    return {
      writer,
      fileName: base.replace(/[^A-Za-z0-9._-]+/g, '_'),
      utf8FileName: base,
      body: writer.encode(columns, rows, schema),
    };
  }
}
