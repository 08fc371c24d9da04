// The rows grid: virtualised rendering over a sparse page cache (keyset paging via next_cursor while scrolling on,
// page numbers for jumps and sorted views), bounded memory, column resize, per-column sort and filter, keyboard
// navigation that keeps the active cell in view both ways (announced to screen readers), jump to row, cell
// expansion, the whole-row view, and — on a draft — inline cell editing and row selection.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { call } from '../lib/api';
import { editText, parseEdit } from '../lib/draft-edit';
import { cellKind, formatCount, isExpandable, previewCell } from '../lib/format';
import {
  columnLeft,
  describeCell,
  nextSort,
  pruneView,
  scrollLeftFor,
  viewQuery,
  type GridSort,
} from '../lib/grid-view';
import { PAGE_SIZE, fetchPlan, pageOf, pagesToEvict, pagesToFetch, resizeColumn, windowFor } from '../lib/row-pages';
import { CellDialog } from './cell-dialog';
import { ErrorNote, errorMessage } from './common';
import { RowDialog } from './row-dialog';

const ROW_HEIGHT = 34;
/** The sticky header: column names, then the filter inputs. */
const HEADER_HEIGHT = ROW_HEIGHT * 2;
const INDEX_WIDTH = 84;
const DEFAULT_WIDTH = 220;
const MAX_PARALLEL = 4;

type Row = unknown[];
interface CachedPage {
  cells: Row[];
  ids: number[];
}

/** What the grid needs to edit a draft; absent for published versions, which stay read-only. */
export interface GridEditing {
  /** Saves one cell and resolves with the row's values as stored (rejects with an error to show beside the cell). */
  saveCell(rowId: number, column: string, value: unknown): Promise<Record<string, unknown>>;
  selected: ReadonlySet<number>;
  toggleSelected(rowId: number): void;
  onColumnMenu(column: string): void;
}

interface CellEdit {
  row: number;
  col: number;
  text: string;
  error: string | null;
  saving: boolean;
}

export function RowsGrid({
  datasetId,
  q,
  reloadKey = 0,
  columnsHint,
  editing,
  goToEnd = 0,
  initialRow = 0,
  onTopRowChange,
}: {
  datasetId: number;
  q: string;
  /** Changing it refetches the rows (after an edit) and keeps the position. */
  reloadKey?: number;
  /** The version's columns as the page knows them, so a sort or filter on a renamed or removed column is dropped. */
  columnsHint?: string[];
  editing?: GridEditing;
  /** Changing it moves to the last row and edits its first cell once loaded (after "Add row"). */
  goToEnd?: number;
  /** Row (0-based) to scroll to once the first page is in: the position restored from the URL. */
  initialRow?: number;
  /** Told (debounced) which row is at the top, so the page can keep it in the URL. */
  onTopRowChange?: (row: number) => void;
}) {
  const gridId = useId();
  const [sort, setSort] = useState<GridSort | null>(null);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [filterInput, setFilterInput] = useState<Record<string, string>>({});
  useEffect(() => {
    const t = setTimeout(() => setFilters(filterInput), 300);
    return () => clearTimeout(t);
  }, [filterInput]);
  const hintKey = columnsHint?.join('\u0000');
  useEffect(() => {
    if (!columnsHint) return;
    const pruned = pruneView(columnsHint, sort, filterInput);
    if (pruned.sort !== sort) setSort(pruned.sort);
    if (Object.keys(pruned.filters).length !== Object.keys(filterInput).length) {
      setFilterInput(pruned.filters);
      setFilters(pruneView(columnsHint, null, filters).filters);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hintKey]);

  const view = viewQuery(sort, filters);
  const viewActive = Object.keys(view).length > 0;
  const narrowed = q !== '' || Object.keys(view).some((k) => k.startsWith('filter['));
  // The version, search and view decide which rows there are; reloadKey only says they changed.
  const baseKey = `${datasetId}\u0000${q}\u0000${JSON.stringify(view)}`;
  const queryKey = `${baseKey}\u0000${reloadKey}`;
  const [meta, setMeta] = useState<{ key: string; total: number | null; columns: string[]; error: string | null }>({
    key: queryKey,
    total: null,
    columns: [],
    error: null,
  });
  // The last answer for the same rows, laid out while a reload is on its way (so the position is kept).
  const stale = useRef<{ baseKey: string; total: number; columns: string[] } | null>(null);
  const [, setVersion] = useState(0);
  // The row the layout window is centred on (only matters for versions larger than one window).
  const [windowTarget, setWindowTarget] = useState(0);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const [expanded, setExpanded] = useState<{ row: number; col: number } | null>(null);
  const [rowView, setRowView] = useState(false);
  const [edit, setEdit] = useState<CellEdit | null>(null);
  const editRef = useRef<CellEdit | null>(null);
  editRef.current = edit;
  const [jump, setJump] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, CachedPage>());
  const cursors = useRef(new Map<number, string>());
  const inflight = useRef(new Set<number>());
  const liveKey = useRef(queryKey);

  const fresh = meta.key === queryKey && meta.total !== null;
  const staleHere = stale.current?.baseKey === baseKey ? stale.current : null;
  /** Known only from an answer for the current query. */
  const freshTotal = fresh ? meta.total : null;
  const total = fresh ? meta.total : (staleHere?.total ?? null);
  const columns = fresh ? meta.columns : (staleHere?.columns ?? []);
  const win = total === null ? { start: 0, count: 0 } : windowFor(windowTarget, total);

  const fetchPage = useCallback(
    async (p: number) => {
      const key = liveKey.current;
      inflight.current.add(p);
      try {
        const plan = fetchPlan(p, cursors.current);
        const res = await call('GET', '/api/public/v2/datasets/{id}/rows', {
          path: { id: datasetId },
          query: { per_page: PAGE_SIZE, q: q || undefined, ...view, ...plan },
        });
        if (liveKey.current !== key) return;
        pages.current.set(p, { cells: res.rows.map((r) => r.map((c) => c.value)), ids: res.row_ids ?? [] });
        if (res.next_cursor) cursors.current.set(p + 1, res.next_cursor);
        stale.current = { baseKey: key.slice(0, key.lastIndexOf('\u0000')), total: res.total, columns: res.columns };
        setMeta((m) =>
          m.key === key && m.total === res.total && m.columns.join('\u0000') === res.columns.join('\u0000')
            ? m
            : { key, total: res.total, columns: res.columns, error: null },
        );
      } catch (e) {
        if (liveKey.current === key) setMeta((m) => ({ ...m, key, error: e instanceof Error ? e.message : String(e) }));
      } finally {
        if (liveKey.current === key) {
          inflight.current.delete(p);
          setVersion((v) => v + 1);
        }
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [datasetId, q, JSON.stringify(view)],
  );

  // New rows to show: a new version, search or view starts over at the top; a reload after an edit stays put.
  const shownBase = useRef<string | null>(null);
  useEffect(() => {
    liveKey.current = queryKey;
    pages.current = new Map();
    cursors.current = new Map();
    inflight.current = new Set();
    setMeta({ key: queryKey, total: null, columns: [], error: null });
    if (shownBase.current !== baseKey) {
      shownBase.current = baseKey;
      setWindowTarget(0);
      setActive({ row: 0, col: 0 });
      setEdit(null);
      scrollRef.current?.scrollTo({ top: 0 });
    }
    void fetchPage(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey, fetchPage]);

  const virtualizer = useVirtualizer({
    count: win.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // Rows start below the sticky header, and scrolling to a row keeps it out from under the header.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
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

  const entryAt = (abs: number): { cells: Row; id: number | undefined } | undefined => {
    const page = pages.current.get(pageOf(abs));
    const cells = page?.cells[abs % PAGE_SIZE];
    return cells ? { cells, id: page.ids[abs % PAGE_SIZE] } : undefined;
  };
  const rowAt = (abs: number): Row | undefined => entryAt(abs)?.cells;

  // Columns share the grid's width until resized (within bounds), so a few columns do not leave a blank area.
  const [viewWidth, setViewWidth] = useState(0);
  // The scroll element exists once there are columns; observe it from then on.
  const hasColumns = columns.length > 0;
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewWidth(el.clientWidth));
    ro.observe(el);
    setViewWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [hasColumns]);
  const fitWidth = columns.length ? Math.floor((viewWidth - INDEX_WIDTH - 2) / columns.length) : DEFAULT_WIDTH;
  const baseWidth = Math.max(140, Math.min(480, Number.isFinite(fitWidth) && fitWidth > 0 ? fitWidth : DEFAULT_WIDTH));
  const widthOf = (c: string) => widths[c] ?? baseWidth;
  const totalWidth = INDEX_WIDTH + columns.reduce((s, c) => s + widthOf(c), 0);

  // The active cell stays in view sideways too (the sticky row numbers cover the left edge).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || columns.length === 0) return;
    const col = Math.min(active.col, columns.length - 1);
    const left = columnLeft(columns.map(widthOf), col, INDEX_WIDTH);
    const next = scrollLeftFor(
      { left, width: widthOf(columns[col]) },
      { scrollLeft: el.scrollLeft, clientWidth: el.clientWidth },
      INDEX_WIDTH,
    );
    if (next !== el.scrollLeft) el.scrollLeft = next;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active.col, active.row, columns.length]);

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

  // ---- scroll position kept in the URL: restore it once per version/search/view, then report the top row.
  const restored = useRef<string | null>(null);
  useEffect(() => {
    if (total === null || restored.current === baseKey) return;
    restored.current = baseKey;
    if (initialRow > 0 && initialRow < total) move(initialRow, 0, 'start');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [total, baseKey]);
  const topRowRef = useRef(onTopRowChange);
  topRowRef.current = onTopRowChange;
  useEffect(() => {
    if (total === null || restored.current !== baseKey) return;
    // The row under the top edge (the virtualizer's first item is an overscan row above it).
    const t = setTimeout(
      () => topRowRef.current?.(win.start + Math.floor((scrollRef.current?.scrollTop ?? 0) / ROW_HEIGHT)),
      250,
    );
    return () => clearTimeout(t);
    // win.start follows firstVisible; reporting on every window shift would fire far more often than needed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstVisible, total, baseKey]);

  const startEdit = (row: number, col: number, text?: string) => {
    const entry = entryAt(row);
    if (!editing || !entry || entry.id === undefined || columns[col] === undefined) return;
    setActive({ row, col });
    setEdit({ row, col, text: text ?? editText(entry.cells[col]), error: null, saving: false });
  };

  const focusGrid = () => scrollRef.current?.focus({ preventScroll: true });

  /** Saves the edited cell (when it changed) and moves by (dr, dc); an error keeps the editor open beside the cell. */
  const commitEdit = async (dr: number, dc: number) => {
    const e = editRef.current;
    if (!e || e.saving || !editing) return;
    const entry = entryAt(e.row);
    const column = columns[e.col];
    if (!entry || entry.id === undefined || column === undefined) return setEdit(null);
    const parsed = parseEdit(e.text, entry.cells[e.col]);
    if (!parsed.ok) return setEdit({ ...e, error: parsed.error });
    if (parsed.changed) {
      setEdit({ ...e, saving: true, error: null });
      try {
        const values = await editing.saveCell(entry.id, column, parsed.value);
        const page = pages.current.get(pageOf(e.row));
        if (page) page.cells[e.row % PAGE_SIZE] = columns.map((c) => values[c] ?? null);
      } catch (err) {
        setEdit({ ...e, saving: false, error: `Not saved: ${errorMessage(err)}` });
        return;
      }
    }
    setEdit(null);
    focusGrid();
    if (dr || dc) move(e.row + dr, e.col + dc);
  };

  const cancelEdit = () => {
    setEdit(null);
    focusGrid();
  };

  // After "Add row": go to the new last row once the reloaded total is known, and edit its first cell once loaded.
  const pendingEnd = useRef<'move' | 'edit' | null>(null);
  const seenGoToEnd = useRef(goToEnd);
  if (goToEnd !== seenGoToEnd.current) {
    seenGoToEnd.current = goToEnd;
    pendingEnd.current = 'move';
  }
  useEffect(() => {
    if (pendingEnd.current === 'move' && freshTotal !== null && freshTotal > 0) {
      pendingEnd.current = 'edit';
      move(freshTotal - 1, 0);
    } else if (pendingEnd.current === 'edit' && freshTotal !== null && rowAt(freshTotal - 1)) {
      pendingEnd.current = null;
      startEdit(freshTotal - 1, 0);
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys typed into the header's controls or the cell editor are theirs.
    if (e.target !== e.currentTarget || !total) return;
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 400) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const rowId = entryAt(active.row)?.id;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active.row + 1, active.col),
      ArrowUp: () => move(active.row - 1, active.col),
      ArrowRight: () => move(active.row, active.col + 1),
      ArrowLeft: () => move(active.row, active.col - 1),
      PageDown: () => move(active.row + page, active.col),
      PageUp: () => move(active.row - page, active.col),
      Home: () => move(e.ctrlKey ? 0 : active.row, 0),
      End: () => move(e.ctrlKey ? total - 1 : active.row, columns.length - 1),
      Enter: () => (editing && !e.altKey ? startEdit(active.row, active.col) : setExpanded(active)),
      F2: () => startEdit(active.row, active.col),
      ' ': () => (e.shiftKey ? editing && rowId !== undefined && editing.toggleSelected(rowId) : setRowView(true)),
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    } else if (editing && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // Typing on a cell starts editing it with what was typed, as in a spreadsheet.
      e.preventDefault();
      startEdit(active.row, active.col, e.key);
    }
  };

  const startResize = (column: string, startX: number) => {
    const start = widthOf(column);
    const onMove = (ev: PointerEvent) =>
      setWidths((w) => ({ ...w, ...resizeColumn({ [column]: start }, column, ev.clientX - startX) }));
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
  };

  const clearView = () => {
    setSort(null);
    setFilters({});
    setFilterInput({});
  };

  if (meta.key === queryKey && meta.error && total === null && !viewActive) {
    return <ErrorNote error={new Error(meta.error)} onRetry={() => void fetchPage(0)} />;
  }

  const expandedValue = expanded ? rowAt(expanded.row)?.[expanded.col] : undefined;
  const windowed = total !== null && win.count < total;
  const cellId = (row: number, col: number) => `${gridId}-r${row}-c${col}`;
  const activeEntry = total ? entryAt(active.row) : undefined;
  const activeColumn = columns[active.col];
  const activeRendered =
    activeEntry !== undefined && active.row >= firstVisible && active.row <= lastVisible && activeColumn !== undefined;
  const announcement =
    total && activeColumn !== undefined
      ? describeCell(
          active.row + 1,
          total,
          activeColumn,
          activeEntry ? previewCell(activeEntry.cells[active.col], 120) : null,
        )
      : '';

  return (
    <div className="grid-wrap">
      <div className="grid-status">
        <span className="muted" aria-live="polite" data-testid="grid-status">
          {total === null
            ? 'Loading rows…'
            : total === 0
              ? narrowed
                ? q
                  ? `No rows match “${q}”${viewActive ? ' and the column filters' : ''}.`
                  : 'No rows match the column filters.'
                : 'This version has no rows.'
              : `${formatCount(total)} ${narrowed ? (total === 1 ? 'row matches' : 'rows match') : total === 1 ? 'row' : 'rows'}${
                  sort ? ` · sorted by ${sort.column} (${sort.order === 'asc' ? 'ascending' : 'descending'})` : ''
                }${windowed ? ` · showing rows ${formatCount(win.start + 1)}–${formatCount(win.start + win.count)}` : ''}`}
          {meta.error && (total !== null || viewActive) ? (
            <span className="error-inline" role="alert">
              {' '}
              {meta.error}{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => (viewActive && total === null ? clearView() : setMeta((m) => ({ ...m, error: null })))}
              >
                {viewActive && total === null ? 'Clear sort and filters' : 'Retry'}
              </button>
            </span>
          ) : null}
        </span>
        {viewActive ? (
          <button type="button" className="secondary small" onClick={clearView}>
            Clear sort and filters
          </button>
        ) : null}
        {total ? (
          <button
            type="button"
            className="secondary small"
            onClick={() => setRowView(true)}
            title="Every column of the active row (Space)"
          >
            View row {formatCount(active.row + 1)}
          </button>
        ) : null}
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
              <input
                inputMode="numeric"
                size={9}
                value={jump}
                onChange={(e) => setJump(e.target.value.replace(/[^\d]/g, ''))}
                aria-label="Jump to row"
              />
            </label>
            <button type="submit" className="secondary small">
              Go
            </button>
          </form>
        ) : null}
      </div>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="grid-announcer">
        {announcement}
      </div>
      <div
        ref={scrollRef}
        className={`grid-scroll${editing ? ' editable' : ''}`}
        tabIndex={0}
        role="grid"
        aria-label={editing ? 'Rows (editable draft)' : 'Rows'}
        aria-rowcount={total ?? -1}
        aria-colcount={columns.length + 1}
        aria-activedescendant={activeRendered ? cellId(active.row, active.col) : undefined}
        aria-readonly={editing ? undefined : true}
        onKeyDown={onKeyDown}
        data-testid="rows-grid"
      >
        <div className="grid-head-wrap" style={{ width: totalWidth }}>
          <div className="grid-header" role="row">
            <div className="grid-cell grid-index" role="columnheader" style={{ width: INDEX_WIDTH }}>
              #
            </div>
            {columns.map((c) => {
              const sorted = sort?.column === c ? sort.order : null;
              return (
                <div
                  key={c}
                  className="grid-cell grid-head"
                  role="columnheader"
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  style={{ width: widthOf(c) }}
                  title={c}
                >
                  <button
                    type="button"
                    className="grid-sort"
                    aria-label={`Sort by ${c}${sorted === 'asc' ? ' (now ascending)' : sorted === 'desc' ? ' (now descending)' : ''}`}
                    onClick={() => setSort((s) => nextSort(s, c))}
                  >
                    <span className="grid-head-label">{c}</span>
                    <span className="grid-sort-mark" aria-hidden="true">
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                    </span>
                  </button>
                  {editing ? (
                    <button
                      type="button"
                      className="grid-col-menu"
                      aria-label={`Rename or remove column ${c}`}
                      onClick={() => editing.onColumnMenu(c)}
                    >
                      ⋯
                    </button>
                  ) : null}
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
                        setWidths((w) =>
                          resizeColumn(w, c, e.key === 'ArrowRight' ? 20 : -20, undefined, undefined, baseWidth),
                        );
                      }
                    }}
                  />
                </div>
              );
            })}
          </div>
          <div className="grid-filters" role="row">
            <div className="grid-cell grid-index" role="gridcell" style={{ width: INDEX_WIDTH }}>
              <span className="muted">filter</span>
            </div>
            {columns.map((c) => (
              <div key={c} className="grid-cell grid-filter" role="gridcell" style={{ width: widthOf(c) }}>
                <input
                  type="search"
                  placeholder="contains…"
                  aria-label={`Filter ${c}`}
                  value={filterInput[c] ?? ''}
                  onChange={(e) => setFilterInput((f) => ({ ...f, [c]: e.target.value }))}
                />
              </div>
            ))}
          </div>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }}>
          {items.map((item) => {
            const abs = win.start + item.index;
            const entry = entryAt(abs);
            const row = entry?.cells;
            const selected = editing && entry?.id !== undefined && editing.selected.has(entry.id);
            return (
              <div
                key={item.key}
                className={`grid-row${abs % 2 ? ' odd' : ''}${selected ? ' selected' : ''}${edit?.row === abs ? ' has-editor' : ''}`}
                role="row"
                aria-rowindex={abs + 1}
                aria-selected={editing ? Boolean(selected) : undefined}
                style={{
                  transform: `translateY(${item.start - HEADER_HEIGHT}px)`,
                  height: ROW_HEIGHT,
                  width: totalWidth,
                }}
              >
                <div className="grid-cell grid-index" role="rowheader" style={{ width: INDEX_WIDTH }}>
                  {editing && entry?.id !== undefined ? (
                    <input
                      type="checkbox"
                      tabIndex={-1}
                      className="row-select"
                      aria-label={`Select row ${abs + 1}`}
                      checked={Boolean(selected)}
                      onChange={() => editing.toggleSelected(entry.id!)}
                    />
                  ) : null}
                  {formatCount(abs + 1)}
                </div>
                {row ? (
                  columns.map((c, ci) => {
                    const value = row[ci];
                    const isActive = active.row === abs && active.col === ci;
                    const isEditing = edit !== null && edit.row === abs && edit.col === ci;
                    return (
                      <div
                        key={c}
                        id={cellId(abs, ci)}
                        role="gridcell"
                        aria-colindex={ci + 2}
                        aria-selected={isActive}
                        className={`grid-cell cell-${cellKind(value)}${isActive ? ' active' : ''}${isEditing ? ' editing' : ''}`}
                        style={{ width: widthOf(c) }}
                        onClick={() => {
                          if (isEditing) return;
                          if (edit) void commitEdit(0, 0);
                          setActive({ row: abs, col: ci });
                        }}
                        onDoubleClick={() =>
                          isEditing ? undefined : editing ? startEdit(abs, ci) : setExpanded({ row: abs, col: ci })
                        }
                      >
                        {isEditing ? (
                          <CellEditor
                            edit={edit}
                            label={`Edit row ${abs + 1}, ${c}`}
                            onChange={(text) => setEdit((x) => (x ? { ...x, text, error: null } : x))}
                            onCommit={(dr, dc) => void commitEdit(dr, dc)}
                            onCancel={cancelEdit}
                          />
                        ) : (
                          <>
                            <span className="cell-text">
                              {value === null || value === undefined ? (
                                <em className="muted">null</em>
                              ) : (
                                previewCell(value)
                              )}
                            </span>
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
                          </>
                        )}
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
          column={columns[expanded.col]}
          rowNumber={expanded.row + 1}
          value={expandedValue}
          onClose={() => {
            setExpanded(null);
            focusGrid();
          }}
        />
      ) : null}
      {rowView && total ? (
        <RowDialog
          rowNumber={active.row + 1}
          total={total}
          columns={columns}
          values={rowAt(active.row)}
          onMove={(d) => move(active.row + d, active.col)}
          onClose={() => {
            setRowView(false);
            focusGrid();
          }}
        />
      ) : null}
    </div>
  );
}

/** The inline editor of one cell: Enter / Tab save (and move down / sideways), Escape cancels; errors show below it. */
function CellEditor({
  edit,
  label,
  onChange,
  onCommit,
  onCancel,
}: {
  edit: CellEdit;
  label: string;
  onChange: (text: string) => void;
  onCommit: (dr: number, dc: number) => void;
  onCancel: () => void;
}) {
  const errorId = useId();
  return (
    <div className="cell-editor">
      <input
        autoFocus
        aria-label={label}
        value={edit.text}
        disabled={edit.saving}
        aria-invalid={edit.error ? true : undefined}
        aria-describedby={edit.error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            onCommit(e.shiftKey ? -1 : 1, 0);
          } else if (e.key === 'Tab') {
            e.preventDefault();
            onCommit(0, e.shiftKey ? -1 : 1);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      {edit.saving ? <span className="cell-editor-note muted">Saving…</span> : null}
      {edit.error ? (
        <span className="cell-editor-error" role="alert" id={errorId}>
          {edit.error}
        </span>
      ) : null}
    </div>
  );
}
