// The export's page loops: a version's rows (or the records the database writes) read by keyset, each next page
// requested before the current one is handed on, so the query (PostgreSQL's server, or a worker thread's SQLite)
// runs while the caller writes the page. One page ahead at most: memory stays flat.
import type { DatasetRepository, StoredRow } from '../dataset.repository.js';

/** Rows read per query: a few MB of row text at most, and few enough queries that their overhead disappears. */
export const EXPORT_PAGE_ROWS = 2_000;

/**
 * Pages read with `read(after)` from after = -1; `next(page)` is the key to read after, or undefined after the last
 * page. A page read ahead that the consumer no longer wants (it stopped early) is dropped, its error too.
 */
export async function* keysetPages<P>(
  read: (after: number) => Promise<P>,
  next: (page: P) => number | undefined,
): AsyncGenerator<P> {
  let ahead: Promise<P> | undefined = read(-1);
  while (ahead) {
    const page: P = await ahead;
    const after = next(page);
    ahead = after === undefined ? undefined : read(after);
    ahead?.catch(() => undefined);
    yield page;
  }
}

/** A version's stored rows in row order, EXPORT_PAGE_ROWS at a time. */
export const rowPages = (repo: DatasetRepository, id: number): AsyncGenerator<StoredRow[]> =>
  keysetPages(
    (after) => repo.readRows(id, { afterIndex: after, limit: EXPORT_PAGE_ROWS }),
    (page) => (page.length < EXPORT_PAGE_ROWS ? undefined : page[page.length - 1].row_index),
  );

/** Pages of CSV records the database writes (DialectCapabilities.csvPage): one string each, rows it left marked. */
export async function* csvPages(
  repo: DatasetRepository,
  id: number,
  width: number,
  mark: string,
): AsyncGenerator<string> {
  const pages = keysetPages(
    (after) => repo.readCsvPage(id, width, { afterIndex: after, limit: EXPORT_PAGE_ROWS, mark }),
    (page) => (page.rows < EXPORT_PAGE_ROWS ? undefined : page.lastIndex),
  );
  for await (const page of pages) if (page.text !== '') yield page.text;
}
