// The export's page loops: a version's rows (or the records the database writes) read in windows of row indexes,
// each next window requested before the current page is handed on, so the query (PostgreSQL's server, or a worker
// thread's SQLite) runs while the caller writes the page. One page ahead at most: memory stays flat. Windows rather
// than keyset `row_index > after LIMIT n`: each statement's range is bounded whatever the planner estimates
// (PostgreSQL, on a version imported since its last ANALYZE, planned the keyset page as a bitmap scan of every
// remaining row plus a sort: a 1,000,000-row export took 36 s). Deleted rows leave gaps: pages are then shorter.
import type { DatasetRepository, StoredRow } from '../dataset.repository.js';

/** Row indexes per page: a few MB of row text at most, and few enough queries that their overhead disappears. */
export const EXPORT_PAGE_ROWS = 2_000;

/** A share of a version's windows: those numbered `index`, `index + of`, `index + 2 × of`, … (threads split them). */
export interface WindowShare {
  index: number;
  of: number;
}

/** `read(from, to)` of each window (of the share) up to the version's last row index, in order, the next read ahead. */
async function* windowPages<P>(
  repo: DatasetRepository,
  id: number,
  read: (from: number, to: number) => Promise<P>,
  share: WindowShare = { index: 0, of: 1 },
): AsyncGenerator<P> {
  const end = await repo.nextRowIndex(undefined, id);
  const step = EXPORT_PAGE_ROWS * share.of;
  const at = (from: number) => {
    if (from >= end) return undefined;
    const page = read(from, from + EXPORT_PAGE_ROWS);
    page.catch(() => undefined); // a page read ahead that the consumer no longer wants (it stopped early)
    return page;
  };
  let ahead = at(share.index * EXPORT_PAGE_ROWS);
  for (let from = share.index * EXPORT_PAGE_ROWS; ahead; from += step) {
    const page = await ahead;
    ahead = at(from + step);
    yield page;
  }
}

/** A version's stored rows in row order, a window at a time. */
export const rowPages = (repo: DatasetRepository, id: number): AsyncGenerator<StoredRow[]> =>
  windowPages(repo, id, (from, to) =>
    repo.readRows(id, { afterIndex: from - 1, beforeIndex: to, limit: EXPORT_PAGE_ROWS }),
  );

/**
 * The CSV records the database writes (DialectCapabilities.csvPage) of each window of the share, one string per
 * window (empty where deleted rows left a gap), rows it left marked.
 */
export const csvWindows = (repo: DatasetRepository, id: number, width: number, mark: string, share?: WindowShare) =>
  windowPages(
    repo,
    id,
    async (fromIndex, toIndex) => (await repo.readCsvPage(id, width, { fromIndex, toIndex, mark })).text,
    share,
  );

/** All of a version's CSV records from the database, page by page. */
export async function* csvPages(
  repo: DatasetRepository,
  id: number,
  width: number,
  mark: string,
): AsyncGenerator<string> {
  for await (const text of csvWindows(repo, id, width, mark)) if (text !== '') yield text;
}
