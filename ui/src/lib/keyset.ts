// Keyset paging state of the rows grid: pages are appended in order, a new search starts over, stale answers are dropped.

export interface KeysetState<R> {
  /** Identifies the query (dataset + search); answers for another query are ignored. */
  queryKey: string;
  rows: R[];
  columns: string[];
  total: number | null;
  nextCursor: string | null;
  /** No more pages: the last answer had no next_cursor. */
  done: boolean;
  loading: boolean;
  error: string | null;
}

export type KeysetAction<R> =
  | { type: 'reset'; queryKey: string }
  | { type: 'request'; queryKey: string }
  | { type: 'page'; queryKey: string; rows: R[]; columns: string[]; total: number; nextCursor: string | null }
  | { type: 'error'; queryKey: string; message: string };

export function initialKeyset<R>(queryKey: string): KeysetState<R> {
  return { queryKey, rows: [], columns: [], total: null, nextCursor: null, done: false, loading: false, error: null };
}

export function keysetReducer<R>(state: KeysetState<R>, action: KeysetAction<R>): KeysetState<R> {
  if (action.type === 'reset') return initialKeyset<R>(action.queryKey);
  if (action.queryKey !== state.queryKey) return state;
  switch (action.type) {
    case 'request':
      return { ...state, loading: true, error: null };
    case 'page':
      return {
        ...state,
        rows: state.rows.concat(action.rows),
        columns: action.columns,
        total: action.total,
        nextCursor: action.nextCursor,
        done: action.nextCursor === null,
        loading: false,
      };
    case 'error':
      return { ...state, loading: false, error: action.message };
  }
}

/** Whether the grid should fetch the next page: the last visible row is within `threshold` of the loaded end. */
export function shouldLoadMore(state: Pick<KeysetState<unknown>, 'rows' | 'done' | 'loading' | 'error'>, lastVisibleIndex: number, threshold = 50): boolean {
  if (state.done || state.loading || state.error) return false;
  return lastVisibleIndex >= state.rows.length - threshold;
}

/** New column widths after dragging (or arrow-keying) one column's edge, clamped to [min, max]. */
export function resizeColumn(widths: Record<string, number>, column: string, delta: number, min = 60, max = 1200, fallback = 180): Record<string, number> {
  const current = widths[column] ?? fallback;
  return { ...widths, [column]: Math.min(max, Math.max(min, Math.round(current + delta))) };
}
