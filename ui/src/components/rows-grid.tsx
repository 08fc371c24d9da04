// The rows grid: virtualised rendering, keyset paging via next_cursor as you scroll, column resize, keyboard navigation, cell expansion.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../lib/api';
import { isExpandable, previewCell, cellKind, formatCount } from '../lib/format';
import { initialKeyset, keysetReducer, resizeColumn, shouldLoadMore } from '../lib/keyset';
import type { RowsPage } from '../lib/types';
import { CellDialog } from './cell-dialog';
import { ErrorNote } from './common';

const ROW_HEIGHT = 34;
const PAGE_SIZE = 100;
const INDEX_WIDTH = 72;
const DEFAULT_WIDTH = 220;

type Row = unknown[];

export function RowsGrid({ datasetId, q }: { datasetId: number; q: string }) {
  const queryKey = `${datasetId}\u0000${q}`;
  const [state, dispatch] = useReducer(keysetReducer<Row>, queryKey, (k: string) => initialKeyset<Row>(k));
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const [expanded, setExpanded] = useState<{ row: number; col: number } | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const inflight = useRef<string | null>(null);

  useEffect(() => {
    dispatch({ type: 'reset', queryKey });
    inflight.current = null;
    setActive({ row: 0, col: 0 });
    scrollRef.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  const loadPage = useCallback(
    async (cursor: string | null) => {
      const marker = `${queryKey}\u0000${cursor ?? ''}`;
      if (inflight.current === marker) return;
      inflight.current = marker;
      dispatch({ type: 'request', queryKey });
      try {
        const page = await api<RowsPage>('GET', `/api/public/v2/datasets/${datasetId}/rows`, { query: { per_page: PAGE_SIZE, q: q || undefined, cursor: cursor ?? undefined } });
        dispatch({ type: 'page', queryKey, rows: page.rows.map((r) => r.map((c) => c.value)), columns: page.columns, total: page.total, nextCursor: page.next_cursor });
      } catch (e) {
        dispatch({ type: 'error', queryKey, message: e instanceof Error ? e.message : String(e) });
      } finally {
        if (inflight.current === marker) inflight.current = null;
      }
    },
    [datasetId, q, queryKey],
  );

  // First page of each query.
  useEffect(() => {
    if (state.queryKey === queryKey && state.rows.length === 0 && !state.loading && !state.done && !state.error) void loadPage(null);
  }, [state, queryKey, loadPage]);

  const hasMoreRow = !state.done && !state.error ? 1 : 0;
  const virtualizer = useVirtualizer({
    count: state.rows.length + hasMoreRow,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1]!.index : 0;

  useEffect(() => {
    if (state.rows.length > 0 && shouldLoadMore(state, lastVisible)) void loadPage(state.nextCursor);
  }, [lastVisible, state, loadPage]);

  // Columns share the grid's width until resized (within sensible bounds), so few columns do not leave a blank area.
  const [viewWidth, setViewWidth] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewWidth(el.clientWidth));
    ro.observe(el);
    setViewWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [state.columns.length > 0]);
  const columns = state.columns;
  const fitWidth = columns.length ? Math.floor((viewWidth - INDEX_WIDTH - 2) / columns.length) : DEFAULT_WIDTH;
  const baseWidth = Math.max(140, Math.min(480, Number.isFinite(fitWidth) && fitWidth > 0 ? fitWidth : DEFAULT_WIDTH));
  const widthOf = (c: string) => widths[c] ?? baseWidth;
  const totalWidth = INDEX_WIDTH + columns.reduce((s, c) => s + widthOf(c), 0);

  const move = (row: number, col: number) => {
    const r = Math.max(0, Math.min(state.rows.length - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    setActive({ row: r, col: c });
    virtualizer.scrollToIndex(r, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (state.rows.length === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active.row + 1, active.col),
      ArrowUp: () => move(active.row - 1, active.col),
      ArrowRight: () => move(active.row, active.col + 1),
      ArrowLeft: () => move(active.row, active.col - 1),
      PageDown: () => move(active.row + page, active.col),
      PageUp: () => move(active.row - page, active.col),
      Home: () => move(e.ctrlKey ? 0 : active.row, 0),
      End: () => move(e.ctrlKey ? state.rows.length - 1 : active.row, columns.length - 1),
      Enter: () => setExpanded(active),
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  };

  const startResize = (column: string, startX: number) => {
    const start = widthOf(column);
    const onMove = (ev: PointerEvent) => setWidths((w) => ({ ...w, ...resizeColumn({ [column]: start }, column, ev.clientX - startX) }));
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
  };

  if (state.error && state.rows.length === 0) return <ErrorNote error={new Error(state.error)} onRetry={() => void loadPage(state.nextCursor)} />;

  const expandedValue = expanded ? state.rows[expanded.row]?.[expanded.col] : undefined;

  return (
    <div className="grid-wrap">
      <div className="grid-status muted" aria-live="polite">
        {state.total === null
          ? 'Loading rows…'
          : state.total === 0
            ? q
              ? `No rows match “${q}”.`
              : 'This version has no rows.'
            : `${formatCount(state.rows.length)} of ${formatCount(state.total)} rows loaded${state.done ? '' : ' — scroll for more'}`}
        {state.error ? <span className="error-inline"> {state.error}</span> : null}
      </div>
      <div
        ref={scrollRef}
        className="grid-scroll"
        tabIndex={0}
        role="grid"
        aria-label="Rows"
        aria-rowcount={state.total ?? -1}
        aria-colcount={columns.length + 1}
        onKeyDown={onKeyDown}
        data-testid="rows-grid"
      >
        <div className="grid-header" role="row" style={{ width: totalWidth }}>
          <div className="grid-cell grid-index" role="columnheader" style={{ width: INDEX_WIDTH }}>
            #
          </div>
          {columns.map((c) => (
            <div key={c} className="grid-cell grid-head" role="columnheader" style={{ width: widthOf(c) }} title={c}>
              <span className="grid-head-label">{c}</span>
              <span
                className="grid-resizer"
                role="separator"
                aria-orientation="vertical"
                aria-label={`Resize column ${c}`}
                aria-valuenow={widthOf(c)}
                tabIndex={0}
                data-testid={`resize-${c}`}
                onPointerDown={(e) => {
                  e.preventDefault();
                  startResize(c, e.clientX);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                    e.preventDefault();
                    e.stopPropagation();
                    setWidths((w) => resizeColumn(w, c, e.key === 'ArrowRight' ? 20 : -20, undefined, undefined, baseWidth));
                  }
                }}
              />
            </div>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }}>
          {items.map((item) => {
            const row = state.rows[item.index];
            return (
              <div
                key={item.key}
                className={`grid-row${item.index % 2 ? ' odd' : ''}`}
                role="row"
                aria-rowindex={item.index + 1}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
              >
                <div className="grid-cell grid-index" style={{ width: INDEX_WIDTH }}>
                  {row ? item.index + 1 : ''}
                </div>
                {row ? (
                  columns.map((c, ci) => {
                    const value = row[ci];
                    const isActive = active.row === item.index && active.col === ci;
                    return (
                      <div
                        key={c}
                        role="gridcell"
                        className={`grid-cell cell-${cellKind(value)}${isActive ? ' active' : ''}`}
                        style={{ width: widthOf(c) }}
                        onClick={() => setActive({ row: item.index, col: ci })}
                        onDoubleClick={() => setExpanded({ row: item.index, col: ci })}
                      >
                        <span className="cell-text">{value === null || value === undefined ? <em className="muted">null</em> : previewCell(value)}</span>
                        {isExpandable(value) ? (
                          <button
                            type="button"
                            className="cell-expand"
                            tabIndex={-1}
                            aria-label={`Expand row ${item.index + 1} ${c}`}
                            onClick={(e) => {
                              e.stopPropagation();
                              setExpanded({ row: item.index, col: ci });
                            }}
                          >
                            ⤢
                          </button>
                        ) : null}
                      </div>
                    );
                  })
                ) : (
                  <div className="grid-cell muted">Loading more rows…</div>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {expanded && columns[expanded.col] !== undefined ? (
        <CellDialog
          column={columns[expanded.col]!}
          rowNumber={expanded.row + 1}
          value={expandedValue}
          onClose={() => {
            setExpanded(null);
            scrollRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
