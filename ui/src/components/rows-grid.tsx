// The rows grid: virtualised rendering over a sparse page cache (keyset paging via next_cursor while scrolling on,
// page numbers for jumps), bounded memory, column resize, keyboard navigation, jump to row, cell expansion.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../lib/api';
import { cellKind, formatCount, isExpandable, previewCell } from '../lib/format';
import { PAGE_SIZE, fetchPlan, pageOf, pagesToEvict, pagesToFetch, resizeColumn, windowFor } from '../lib/row-pages';
import type { RowsPage } from '../lib/types';
import { CellDialog } from './cell-dialog';
import { ErrorNote } from './common';

const ROW_HEIGHT = 34;
const INDEX_WIDTH = 84;
const DEFAULT_WIDTH = 220;
const MAX_PARALLEL = 4;

type Row = unknown[];

export function RowsGrid({
  datasetId,
  q,
  initialRow = 0,
  onTopRowChange,
}: {
  datasetId: number;
  q: string;
  /** Row (0-based) to scroll to once the first page is in: the position restored from the URL. */
  initialRow?: number;
  /** Told (debounced) which row is at the top, so the page can keep it in the URL. */
  onTopRowChange?: (row: number) => void;
}) {
  const queryKey = `${datasetId}\u0000${q}`;
  const [meta, setMeta] = useState<{ key: string; total: number | null; columns: string[]; error: string | null }>({ key: queryKey, total: null, columns: [], error: null });
  const [, setVersion] = useState(0);
  // The row the layout window is centred on (only matters for versions larger than one window).
  const [windowTarget, setWindowTarget] = useState(0);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const [expanded, setExpanded] = useState<{ row: number; col: number } | null>(null);
  const [jump, setJump] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, Row[]>());
  const cursors = useRef(new Map<number, string>());
  const inflight = useRef(new Set<number>());
  const liveKey = useRef(queryKey);

  const total = meta.key === queryKey ? meta.total : null;
  const columns = meta.key === queryKey ? meta.columns : [];
  const win = total === null ? { start: 0, count: 0 } : windowFor(windowTarget, total);

  const fetchPage = useCallback(
    async (p: number) => {
      const key = liveKey.current;
      inflight.current.add(p);
      try {
        const plan = fetchPlan(p, cursors.current);
        const res = await api<RowsPage>('GET', `/api/public/v2/datasets/${datasetId}/rows`, { query: { per_page: PAGE_SIZE, q: q || undefined, ...plan } });
        if (liveKey.current !== key) return;
        pages.current.set(p, res.rows.map((r) => r.map((c) => c.value)));
        if (res.next_cursor) cursors.current.set(p + 1, res.next_cursor);
        setMeta((m) => (m.key === key && m.total === res.total && m.columns.length === res.columns.length ? m : { key, total: res.total, columns: res.columns, error: null }));
      } catch (e) {
        if (liveKey.current === key) setMeta((m) => ({ ...m, key, error: e instanceof Error ? e.message : String(e) }));
      } finally {
        if (liveKey.current === key) {
          inflight.current.delete(p);
          setVersion((v) => v + 1);
        }
      }
    },
    [datasetId, q],
  );

  // A new version or search starts over.
  useEffect(() => {
    liveKey.current = queryKey;
    pages.current = new Map();
    cursors.current = new Map();
    inflight.current = new Set();
    setMeta({ key: queryKey, total: null, columns: [], error: null });
    setWindowTarget(0);
    setActive({ row: 0, col: 0 });
    scrollRef.current?.scrollTo({ top: 0 });
    void fetchPage(0);
  }, [queryKey, fetchPage]);

  const virtualizer = useVirtualizer({
    count: win.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const firstVisible = win.start + (items[0]?.index ?? 0);
  const lastVisible = win.start + (items[items.length - 1]?.index ?? 0);

  // Fetch what the viewport shows (plus the next page, so scrolling on meets loaded rows), nearest first; forget far pages.
  useEffect(() => {
    if (total === null || meta.error) return;
    const wanted = pagesToFetch(firstVisible, lastVisible + PAGE_SIZE, total, pages.current, inflight.current);
    for (const p of wanted.slice(0, Math.max(0, MAX_PARALLEL - inflight.current.size))) void fetchPage(p);
    for (const p of pagesToEvict(pages.current.keys(), pageOf(firstVisible))) pages.current.delete(p);
  });

  // Huge versions: when scrolling reaches the edge of the layout window, re-centre the window on the visible rows
  // and keep the same rows on screen, so scrolling goes on without a jump.
  const pendingTop = useRef<number | null>(null);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || total === null || win.count >= total || pendingTop.current !== null) return;
    // Read the position from the element itself: the virtualizer's items may predate a programmatic scroll.
    const first = win.start + Math.floor(el.scrollTop / ROW_HEIGHT);
    const last = first + Math.ceil(el.clientHeight / ROW_HEIGHT);
    const nearEnd = last >= win.start + win.count - 20 && win.start + win.count < total;
    const nearStart = first <= win.start + 20 && win.start > 0;
    if (!nearEnd && !nearStart) return;
    const next = windowFor(first, total).start;
    if (next === win.start) return;
    pendingTop.current = el.scrollTop + (win.start - next) * ROW_HEIGHT;
    setWindowTarget(first);
  }, [firstVisible, lastVisible, total, win.start, win.count]);
  useLayoutEffect(() => {
    if (pendingTop.current !== null && scrollRef.current) {
      scrollRef.current.scrollTop = pendingTop.current;
      pendingTop.current = null;
    }
  }, [win.start]);

  const rowAt = (abs: number): Row | undefined => pages.current.get(pageOf(abs))?.[abs % PAGE_SIZE];

  // Columns share the grid's width until resized (within bounds), so a few columns do not leave a blank area.
  const [viewWidth, setViewWidth] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewWidth(el.clientWidth));
    ro.observe(el);
    setViewWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [columns.length > 0]);
  const fitWidth = columns.length ? Math.floor((viewWidth - INDEX_WIDTH - 2) / columns.length) : DEFAULT_WIDTH;
  const baseWidth = Math.max(140, Math.min(480, Number.isFinite(fitWidth) && fitWidth > 0 ? fitWidth : DEFAULT_WIDTH));
  const widthOf = (c: string) => widths[c] ?? baseWidth;
  const totalWidth = INDEX_WIDTH + columns.reduce((s, c) => s + widthOf(c), 0);

  /** Moves the active cell to an absolute row, shifting the layout window on huge versions. */
  const move = (row: number, col: number, align: 'auto' | 'start' = 'auto') => {
    if (total === null || total === 0) return;
    const r = Math.max(0, Math.min(total - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    setActive({ row: r, col: c });
    if (r < win.start || r >= win.start + win.count) {
      // A new layout window: its scroll position is set before paint (see the layout effect above).
      const start = windowFor(r, total).start;
      pendingTop.current = (r - start) * ROW_HEIGHT;
      setWindowTarget(r);
      return;
    }
    virtualizer.scrollToIndex(r - win.start, { align });
  };

  // ---- scroll position kept in the URL (item 7): restore it once per version/search, then report the top row.
  const restored = useRef<string | null>(null);
  useEffect(() => {
    if (total === null || restored.current === queryKey) return;
    restored.current = queryKey;
    if (initialRow > 0 && initialRow < total) move(initialRow, 0, 'start');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [total, queryKey]);
  const topRowRef = useRef(onTopRowChange);
  topRowRef.current = onTopRowChange;
  useEffect(() => {
    if (total === null || restored.current !== queryKey) return;
    // The row under the top edge (the virtualizer's first item is an overscan row above it).
    const t = setTimeout(() => topRowRef.current?.(win.start + Math.floor((scrollRef.current?.scrollTop ?? 0) / ROW_HEIGHT)), 250);
    return () => clearTimeout(t);
  }, [firstVisible, total, queryKey]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!total) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active.row + 1, active.col),
      ArrowUp: () => move(active.row - 1, active.col),
      ArrowRight: () => move(active.row, active.col + 1),
      ArrowLeft: () => move(active.row, active.col - 1),
      PageDown: () => move(active.row + page, active.col),
      PageUp: () => move(active.row - page, active.col),
      Home: () => move(e.ctrlKey ? 0 : active.row, 0),
      End: () => move(e.ctrlKey ? total - 1 : active.row, columns.length - 1),
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

  if (meta.key === queryKey && meta.error && total === null) {
    return <ErrorNote error={new Error(meta.error)} onRetry={() => void fetchPage(0)} />;
  }

  const expandedValue = expanded ? rowAt(expanded.row)?.[expanded.col] : undefined;
  const windowed = total !== null && win.count < total;

  return (
    <div className="grid-wrap">
      <div className="grid-status">
        <span className="muted" aria-live="polite" data-testid="grid-status">
          {total === null
            ? 'Loading rows…'
            : total === 0
              ? q
                ? `No rows match “${q}”.`
                : 'This version has no rows.'
              : `${formatCount(total)} ${q ? (total === 1 ? 'row matches' : 'rows match') : total === 1 ? 'row' : 'rows'}${
                  windowed ? ` · showing rows ${formatCount(win.start + 1)}–${formatCount(win.start + win.count)}` : ''
                }`}
          {meta.error && total !== null ? (
            <span className="error-inline">
              {' '}
              {meta.error}{' '}
              <button type="button" className="link-button" onClick={() => setMeta((m) => ({ ...m, error: null }))}>
                Retry
              </button>
            </span>
          ) : null}
        </span>
        {total ? (
          <form
            className="jump"
            onSubmit={(e) => {
              e.preventDefault();
              const n = Number(jump);
              if (Number.isInteger(n) && n >= 1) move(n - 1, active.col, 'start');
            }}
          >
            <label>
              <span className="muted">Jump to row</span>
              <input inputMode="numeric" size={9} value={jump} onChange={(e) => setJump(e.target.value.replace(/[^\d]/g, ''))} aria-label="Jump to row" />
            </label>
            <button type="submit" className="secondary small">
              Go
            </button>
          </form>
        ) : null}
      </div>
      <div
        ref={scrollRef}
        className="grid-scroll"
        tabIndex={0}
        role="grid"
        aria-label="Rows"
        aria-rowcount={total ?? -1}
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
            const abs = win.start + item.index;
            const row = rowAt(abs);
            return (
              <div
                key={item.key}
                className={`grid-row${abs % 2 ? ' odd' : ''}`}
                role="row"
                aria-rowindex={abs + 1}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: totalWidth }}
              >
                <div className="grid-cell grid-index" style={{ width: INDEX_WIDTH }}>
                  {formatCount(abs + 1)}
                </div>
                {row ? (
                  columns.map((c, ci) => {
                    const value = row[ci];
                    const isActive = active.row === abs && active.col === ci;
                    return (
                      <div
                        key={c}
                        role="gridcell"
                        className={`grid-cell cell-${cellKind(value)}${isActive ? ' active' : ''}`}
                        style={{ width: widthOf(c) }}
                        onClick={() => setActive({ row: abs, col: ci })}
                        onDoubleClick={() => setExpanded({ row: abs, col: ci })}
                      >
                        <span className="cell-text">{value === null || value === undefined ? <em className="muted">null</em> : previewCell(value)}</span>
                        {isExpandable(value) ? (
                          <button
                            type="button"
                            className="cell-expand"
                            tabIndex={-1}
                            aria-label={`Expand row ${abs + 1} ${c}`}
                            onClick={(e) => {
                              e.stopPropagation();
                              setExpanded({ row: abs, col: ci });
                            }}
                          >
                            ⤢
                          </button>
                        ) : null}
                      </div>
                    );
                  })
                ) : (
                  <div className="grid-cell grid-placeholder" aria-busy="true">
                    <span className="skeleton" />
                  </div>
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
