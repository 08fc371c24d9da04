// The column statistics panel above a version's grid: one card per column (type, null share, distinct count, range or
// lengths, a small histogram, top values or true/false), paged by columns for wide versions, collapsible.
import { useState, type ReactNode } from 'react';
import { call } from '../lib/api';
import {
  barHeights,
  binLabel,
  compactNumber,
  histogramLabel,
  percent,
  type ColumnStatsView,
  type StatsBin,
} from '../lib/column-stats';
import { formatCount } from '../lib/format';
import { keys, useApiQuery } from '../lib/queries';
import { ErrorNote, Loading } from './common';

const PAGE = 20;
const OPEN_KEY = 'strata.columnStats.open';

function Histogram({ bins, label }: { bins: StatsBin[]; label: string }) {
  const heights = barHeights(bins);
  return (
    <div className="col-stats-hist" role="img" aria-label={histogramLabel(label, bins)} data-testid="histogram">
      {bins.map((b, i) => (
        <span
          key={i}
          className="col-stats-bar"
          style={{ height: `${heights[i]}%` }}
          title={`${binLabel(b)}: ${formatCount(b.count)}`}
          data-count={b.count}
        />
      ))}
    </div>
  );
}

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div className="col-stats-fact">
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function ColumnCard({ c }: { c: ColumnStatsView }) {
  const n = c.number;
  const s = c.string;
  const showNumbers = n && (c.type === 'number' || c.type === 'mixed');
  return (
    <li className="col-stats-card" data-testid={`col-stats-${c.name}`} aria-label={`Column ${c.name}`}>
      <div className="col-stats-head">
        <strong className="col-stats-name" title={c.name}>
          {c.name}
        </strong>
        <span className={`col-stats-type col-stats-type-${c.type}`}>{c.type}</span>
      </div>
      <div
        className="col-stats-null"
        title={`${formatCount(c.nulls)} null, ${formatCount(c.empty)} empty of ${formatCount(c.count)}`}
      >
        <span className="col-stats-null-bar" aria-hidden="true">
          <span style={{ width: `${Math.round(c.null_share * 100)}%` }} />
        </span>
        <span data-testid="null-share">{percent(c.null_share)} empty</span>
      </div>
      <dl className="col-stats-facts">
        <Fact name="Distinct">
          <span data-testid="distinct">
            {c.distinct.approximate ? '≈' : ''}
            {formatCount(c.distinct.count)}
          </span>
        </Fact>
        {showNumbers ? (
          <>
            <Fact name="Min">
              <span data-testid="min">{compactNumber(n.min)}</span>
            </Fact>
            <Fact name="Max">
              <span data-testid="max">{compactNumber(n.max)}</span>
            </Fact>
            <Fact name="Mean">
              <span data-testid="mean">{compactNumber(n.mean)}</span>
            </Fact>
          </>
        ) : s && s.count > 0 && c.type !== 'boolean' ? (
          <Fact name="Length">
            <span data-testid="length">
              {formatCount(s.length.min)}–{formatCount(s.length.max)}
            </span>
          </Fact>
        ) : null}
        {c.type === 'mixed' ? (
          <Fact name="Kinds">
            {Object.entries(c.kinds)
              .filter(([, v]) => v > 0)
              .map(([k, v]) => `${k} ${formatCount(v)}`)
              .join(' · ')}
          </Fact>
        ) : null}
      </dl>
      {showNumbers && n.histogram.length > 0 ? <Histogram bins={n.histogram} label={`Values of ${c.name}`} /> : null}
      {!showNumbers && s && s.count > 0 && c.type !== 'boolean' ? (
        <Histogram bins={s.length.histogram} label={`Lengths of ${c.name}`} />
      ) : null}
      {c.boolean ? (
        <div
          className="col-stats-bool"
          role="img"
          aria-label={`${c.name}: true ${c.boolean.true}, false ${c.boolean.false}`}
          data-testid="booleans"
        >
          <span className="col-stats-true" style={{ flexGrow: c.boolean.true }} />
          <span className="col-stats-false" style={{ flexGrow: c.boolean.false }} />
          <span className="col-stats-bool-text">
            true {formatCount(c.boolean.true)} · false {formatCount(c.boolean.false)}
          </span>
        </div>
      ) : null}
      {s && s.top.length > 0 && c.type !== 'number' && c.type !== 'boolean' ? (
        <ol
          className="col-stats-top"
          aria-label={`Most frequent values of ${c.name}${s.top_approximate ? ' (approximate)' : ''}`}
        >
          {s.top.slice(0, 3).map((t) => (
            <li key={t.value}>
              <span className="col-stats-top-value" title={t.value}>
                {t.value}
                {t.truncated ? '…' : ''}
              </span>
              <span className="col-stats-top-count">{formatCount(t.count)}</span>
            </li>
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/** `reloadKey` changes after a draft edit: a draft's figures are recomputed on every request. */
export function ColumnStatsPanel({ datasetId, reloadKey }: { datasetId: number; reloadKey: string | number }) {
  const [open, setOpen] = useState(() => localStorage.getItem(OPEN_KEY) !== '0');
  const [offset, setOffset] = useState(0);
  // reloadKey is part of the key: a draft edit asks for new figures, not the cached ones.
  const stats = useApiQuery(
    [...keys.dataset(datasetId), 'stats', { offset, reloadKey }],
    (signal) =>
      call('GET', '/api/public/v2/datasets/{id}/stats', {
        path: { id: datasetId },
        query: { column_offset: offset, column_limit: PAGE },
        signal,
      }),
    { enabled: open },
  );
  const toggle = () => {
    localStorage.setItem(OPEN_KEY, open ? '0' : '1');
    setOpen(!open);
  };
  const d = stats.data;
  return (
    <section className="col-stats" aria-label="Column statistics" data-testid="column-stats">
      <div className="col-stats-bar-row">
        <button type="button" className="secondary small" aria-expanded={open} onClick={toggle}>
          {open ? 'Hide' : 'Show'} column statistics
        </button>
        {open && d ? (
          <span className="muted" data-testid="stats-summary">
            {d.sampled
              ? `Sampled ${formatCount(d.rows_scanned)} of ${formatCount(d.row_count)} rows (every ${d.sample_step}th)`
              : `All ${formatCount(d.rows_scanned)} rows`}
            {d.status === 'draft' ? ' · draft: recomputed on each change' : ''}
          </span>
        ) : null}
        <span className="spacer" />
        {open && d && d.columns_total > PAGE ? (
          <span className="col-stats-paging" role="group" aria-label="Columns shown">
            <button
              type="button"
              className="secondary small"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              ← Columns
            </button>
            <span className="muted">
              {formatCount(offset + 1)}–{formatCount(Math.min(d.columns_total, offset + PAGE))} of{' '}
              {formatCount(d.columns_total)}
            </span>
            <button
              type="button"
              className="secondary small"
              disabled={offset + PAGE >= d.columns_total}
              onClick={() => setOffset(offset + PAGE)}
            >
              Columns →
            </button>
          </span>
        ) : null}
        {open && d?.status === 'draft' ? (
          <button type="button" className="secondary small" onClick={stats.reload}>
            Refresh
          </button>
        ) : null}
      </div>
      {!open ? null : stats.loading ? (
        <Loading what="Computing column statistics" />
      ) : !d ? (
        <ErrorNote error={stats.error} onRetry={stats.reload} />
      ) : d.columns.length === 0 ? null : (
        // Focusable: the cards scroll sideways, and keyboard users must be able to scroll them.
        <ul className="col-stats-list" tabIndex={0} aria-label="Columns">
          {d.columns.map((c) => (
            <ColumnCard key={c.index} c={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
