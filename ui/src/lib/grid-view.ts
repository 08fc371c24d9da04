// The rows grid's view logic: horizontal scrolling to the active cell, the sort cycle, the rows query, what is announced.

export type SortOrder = 'asc' | 'desc';
export interface GridSort {
  column: string;
  order: SortOrder;
}

/** The scrollLeft that shows the cell [left, left + width), left of which `sticky` pixels stay covered; unchanged if visible. */
export function scrollLeftFor(
  cell: { left: number; width: number },
  view: { scrollLeft: number; clientWidth: number },
  sticky: number,
): number {
  const visibleStart = view.scrollLeft + sticky;
  const visibleEnd = view.scrollLeft + view.clientWidth;
  if (cell.left < visibleStart) return Math.max(0, cell.left - sticky);
  if (cell.left + cell.width > visibleEnd)
    return Math.max(0, Math.min(cell.left - sticky, cell.left + cell.width - view.clientWidth));
  return view.scrollLeft;
}

/** Left edge of column `col` after the sticky row-number column. */
export function columnLeft(widths: number[], col: number, indexWidth: number): number {
  let left = indexWidth;
  for (let i = 0; i < col && i < widths.length; i++) left += widths[i];
  return left;
}

/** Clicking a column's sort button: none → ascending → descending → none (another column starts ascending). */
export function nextSort(current: GridSort | null, column: string): GridSort | null {
  if (!current || current.column !== column) return { column, order: 'asc' };
  return current.order === 'asc' ? { column, order: 'desc' } : null;
}

/** Query parameters of the rows API for a sort and per-column filters (blank filters left out). */
export function viewQuery(sort: GridSort | null, filters: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (sort) {
    out.sort = sort.column;
    out.order = sort.order;
  }
  for (const [column, text] of Object.entries(filters)) if (text.trim() !== '') out[`filter[${column}]`] = text.trim();
  return out;
}

/** Drops sort and filters on columns the version no longer has (after a rename or removal). */
export function pruneView(
  columns: string[],
  sort: GridSort | null,
  filters: Record<string, string>,
): { sort: GridSort | null; filters: Record<string, string> } {
  const kept = Object.fromEntries(Object.entries(filters).filter(([c]) => columns.includes(c)));
  return { sort: sort && columns.includes(sort.column) ? sort : null, filters: kept };
}

/** What a screen reader hears when the active cell moves. */
export function describeCell(row: number, total: number, column: string, preview: string | null): string {
  const value = preview === null ? 'loading' : preview === '' ? 'empty' : preview;
  return `Row ${row.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}, ${column}: ${value}`;
}
