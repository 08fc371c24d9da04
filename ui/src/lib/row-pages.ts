// The rows grid's sparse page cache: which pages a viewport needs, how to fetch each (keyset cursor when the
// previous page told us one, page number for a jump), which pages to forget so memory stays bounded on huge versions.

export const PAGE_SIZE = 100;
/** Rows the grid lays out at once; beyond this a version is browsed in windows (browsers cap element heights). */
export const WINDOW_ROWS = 200_000;
/** Pages kept in memory; the farthest from the viewport go first. */
export const MAX_CACHED_PAGES = 60;

export const pageOf = (rowIndex: number, pageSize = PAGE_SIZE) => Math.floor(rowIndex / pageSize);

/** Pages covering rows [first, last] (absolute indexes) that are neither loaded nor being fetched. */
export function pagesToFetch(
  first: number,
  last: number,
  total: number,
  loaded: ReadonlySet<number> | ReadonlyMap<number, unknown>,
  inflight: ReadonlySet<number>,
  pageSize = PAGE_SIZE,
): number[] {
  if (total <= 0 || last < first) return [];
  const lastPage = pageOf(Math.min(last, total - 1), pageSize);
  const out: number[] = [];
  for (let p = pageOf(Math.max(0, first), pageSize); p <= lastPage; p++)
    if (!loaded.has(p) && !inflight.has(p)) out.push(p);
  return out;
}

/** How to ask the API for page `p` (0-based): by the keyset cursor that page p-1 returned, else by page number. */
export function fetchPlan(p: number, cursors: ReadonlyMap<number, string>): { cursor: string } | { page: number } {
  if (p === 0) return { page: 1 };
  const cursor = cursors.get(p);
  return cursor ? { cursor } : { page: p + 1 };
}

/** Loaded pages to drop: beyond `max`, the ones farthest from the visible page `center`. */
export function pagesToEvict(loaded: Iterable<number>, center: number, max = MAX_CACHED_PAGES): number[] {
  const pages = [...loaded];
  if (pages.length <= max) return [];
  return pages.sort((a, b) => Math.abs(b - center) - Math.abs(a - center)).slice(0, pages.length - max);
}

/** The window of rows laid out for a version of `total` rows that should show row `target` (0-based). */
export function windowFor(target: number, total: number, size = WINDOW_ROWS): { start: number; count: number } {
  if (total <= size) return { start: 0, count: Math.max(0, total) };
  const clamped = Math.max(0, Math.min(total - 1, target));
  const start = Math.min(Math.max(0, clamped - Math.floor(size / 2)), total - size);
  // Aligning the start down to a page must not pull the end up: the window still reaches start + size (the last row).
  const aligned = start - (start % PAGE_SIZE);
  return { start: aligned, count: Math.min(total - aligned, size + (start - aligned)) };
}

/** New column widths after dragging (or arrow-keying) one column's edge, clamped to [min, max]. */
export function resizeColumn(
  widths: Record<string, number>,
  column: string,
  delta: number,
  min = 60,
  max = 1200,
  fallback = 180,
): Record<string, number> {
  const current = widths[column] ?? fallback;
  return { ...widths, [column]: Math.min(max, Math.max(min, Math.round(current + delta))) };
}
