// Compare two versions of a group: columns and rows added, removed and changed, with changed cells highlighted; rows
// matched by row identity/content, or by a key column the user picks (with streamed progress on large versions).
import { useEffect, useRef, useState } from 'react';
import { call } from '../lib/api';
import { streamNdjson } from '../lib/ndjson';
import { normaliseDiff, type RowChange } from '../lib/diff';
import { formatCount, previewCell, versionLabel } from '../lib/format';
import { hrefOf, navigate, queryParam, withQuery } from '../lib/router';
import type { Dataset } from '../lib/types';
import { keys, useApiQuery } from '../lib/queries';
import { Empty, ErrorNote, Loading, PageHeader, ProgressBar } from '../components/common';

function ChangeRow({ change, columns }: { change: RowChange; columns: string[] }) {
  const changed = new Set(change.changedColumns);
  return (
    <tr className={`diff-${change.kind}`}>
      <td className="diff-kind">
        {change.kind === 'added' ? '+ added' : change.kind === 'removed' ? '− removed' : '~ changed'}
      </td>
      {columns.map((c) => {
        const before = change.before?.[c];
        const after = change.after?.[c];
        if (change.kind === 'changed' && changed.has(c)) {
          return (
            <td key={c} className="cell-changed" data-testid="changed-cell">
              <del>{previewCell(before, 60) || '∅'}</del> <ins>{previewCell(after, 60) || '∅'}</ins>
            </td>
          );
        }
        return <td key={c}>{previewCell(change.kind === 'removed' ? before : (after ?? before), 60)}</td>;
      })}
    </tr>
  );
}

/** One of the two version selects; its accessible name is "<label> version". */
function VersionPicker({
  label,
  versions,
  value,
  onPick,
}: {
  label: string;
  versions: Dataset[];
  value?: number;
  onPick: (id: number) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onPick(Number(e.target.value))} aria-label={`${label} version`}>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            {versionLabel(v.version_number)} · {formatCount(v.row_count)} rows
          </option>
        ))}
      </select>
    </label>
  );
}

type Show = 'all' | 'added' | 'removed' | 'changed';
const SHOWS: Show[] = ['all', 'added', 'removed', 'changed'];
const PER_PAGE = 50;

interface Counts {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
}

/** A key diff's counts as they are computed: streamed progress lines (rows compared / total), then done. */
interface KeyRun {
  phase: 'running' | 'done' | 'cancelled' | 'error';
  compared: number;
  total: number;
  counts: Counts | null;
  error?: unknown;
}

/** Streams the progress of a key diff; `cancel` closes the stream, which stops the work on the server too. */
function useKeyRun(
  otherId: number | undefined,
  baseId: number | undefined,
  key: string,
): { run: KeyRun | null; cancel: () => void; restart: () => void } {
  const [run, setRun] = useState<KeyRun | null>(null);
  const [tick, setTick] = useState(0);
  const ctl = useRef<AbortController | null>(null);
  useEffect(() => {
    if (!otherId || !baseId || !key) {
      setRun(null);
      return;
    }
    const c = new AbortController();
    ctl.current = c;
    setRun({ phase: 'running', compared: 0, total: 0, counts: null });
    streamNdjson(`/api/public/v2/datasets/${otherId}/diff/progress`, { against: baseId, key }, c.signal, (line) => {
      if (line.type === 'error') throw Object.assign(new Error(String(line.error)), { status: line.status });
      setRun({
        phase: line.type === 'done' ? 'done' : 'running',
        compared: Number(line.compared),
        total: Number(line.total),
        counts: line.counts as Counts,
      });
    })
      .then(() =>
        setRun((r) =>
          r && r.phase !== 'done'
            ? { ...r, phase: 'error', error: new Error('the comparison stopped before it finished; try again') }
            : r,
        ),
      )
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        setRun((r) => ({ compared: 0, total: 0, counts: null, ...r, phase: 'error', error: e }));
      });
    return () => c.abort();
  }, [otherId, baseId, key, tick]);
  const cancel = () => {
    ctl.current?.abort();
    setRun((r) => (r ? { ...r, phase: 'cancelled' } : r));
  };
  return { run, cancel, restart: () => setTick((t) => t + 1) };
}

export function ComparePage({ groupId, a, b }: { groupId: number; a?: number; b?: number }) {
  const group = useApiQuery(keys.group(groupId), (signal) =>
    call('GET', '/api/public/v2/dataset-groups/{id}', { path: { id: groupId }, signal }),
  );
  const versions = (group.data?.datasets ?? [])
    .filter((d) => d.version_number > 0 && d.status === 'ready')
    .sort((x, y) => x.version_number - y.version_number);
  // Defaults: the two newest versions, older as the base.
  const base = versions.find((v) => v.id === a) ?? versions[versions.length - 2];
  const other = versions.find((v) => v.id === b) ?? versions[versions.length - 1];
  const ready = base && other && base.id !== other.id;
  // The key column and the filter live in the URL, so a link or Back shows the same comparison.
  const shared = ready ? other.column_names.filter((c) => base.column_names.includes(c)) : [];
  const wantedKey = queryParam('key') ?? '';
  const key = shared.includes(wantedKey) ? wantedKey : '';
  const showParam = queryParam('show') as Show | null;
  const show: Show = showParam && SHOWS.includes(showParam) ? showParam : 'all';
  const [page, setPage] = useState(1);
  const viewKey = ready ? `${base.id}:${other.id}:${key}:${show}` : '';
  const [shownView, setShownView] = useState(viewKey);
  if (shownView !== viewKey) {
    setShownView(viewKey);
    setPage(1);
  }
  const { run, cancel, restart } = useKeyRun(ready ? other.id : undefined, ready ? base.id : undefined, key);
  const keyDone = run?.phase === 'done';
  // A key diff's rows are read once its counting run is done.
  const diffOn = Boolean(ready) && (!key || keyDone);
  const diffQuery = {
    against: ready ? base.id : 0,
    key: key || undefined,
    only: show === 'all' ? undefined : show,
    page,
    per_page: PER_PAGE,
  };
  const diff = useApiQuery(
    [...keys.dataset(ready ? other.id : 0), 'diff', diffQuery],
    (signal) => call('GET', '/api/public/v2/datasets/{id}/diff', { path: { id: other.id }, query: diffQuery, signal }),
    { enabled: diffOn },
  );

  if (group.loading) return <Loading what="Loading versions" />;
  if (!group.data) return <ErrorNote error={group.error} onRetry={group.reload} />;
  const g = group.data.dataset_group;
  const go = (next: { a?: number; b?: number; key?: string; show?: Show }) => {
    const [path, search = ''] = hrefOf({
      name: 'compare',
      groupId,
      a: next.a ?? base?.id,
      b: next.b ?? other?.id,
    }).split('?');
    const k = next.key ?? key;
    const sh = next.show ?? show;
    navigate(path + withQuery(search, { key: k || null, show: sh === 'all' ? null : sh }), { replace: true });
  };

  const d = diffOn && diff.data ? normaliseDiff(diff.data, base?.column_names ?? [], other?.column_names ?? []) : null;
  const all = [...new Set([...(other?.column_names ?? []), ...(base?.column_names ?? [])])];
  const columns = key ? [key, ...all.filter((c) => c !== key)] : all;
  const counts: Counts | null = key
    ? (run?.counts ?? null)
    : d
      ? { ...d.counts, unchanged: d.counts.unchanged ?? 0 }
      : null;
  const running = key && run?.phase === 'running';

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Datasets', to: '/datasets' },
          { label: g.name, to: `/datasets/groups/${g.id}` },
        ]}
        title="Compare versions"
      />
      {versions.length < 2 ? (
        <Empty title="Two published versions are needed to compare.">
          This group has {versions.length === 1 ? 'one' : 'no'} ready version.
        </Empty>
      ) : (
        <>
          <div className="toolbar compare-pickers">
            <VersionPicker label="Base" versions={versions} value={base?.id} onPick={(id) => go({ a: id })} />
            <span aria-hidden="true">→</span>
            <VersionPicker label="Compared" versions={versions} value={other?.id} onPick={(id) => go({ b: id })} />
            <label>
              Match rows by
              <select
                value={key}
                onChange={(e) => go({ key: e.target.value })}
                aria-label="Match rows by"
                data-testid="key-picker"
              >
                <option value="">row identity / content (automatic)</option>
                {shared.map((c) => (
                  <option key={c} value={c}>
                    key column: {c}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {!ready ? <Empty title="Pick two different versions." /> : null}
          {ready && key && run ? (
            <div className="compare-progress" data-testid="compare-progress">
              {run.phase === 'running' ? (
                <>
                  <ProgressBar fraction={run.total ? run.compared / run.total : 0} label="Comparing by key" />
                  <span className="muted" role="status" aria-live="polite">
                    {formatCount(run.compared)} of {formatCount(run.total)} rows compared
                  </span>
                  <button type="button" className="secondary small" onClick={cancel}>
                    Cancel
                  </button>
                </>
              ) : null}
              {run.phase === 'cancelled' ? (
                <>
                  <span role="status">
                    Cancelled after {formatCount(run.compared)} of {formatCount(run.total)} rows; the counts below are
                    partial.
                  </span>
                  <button type="button" className="secondary small" onClick={restart}>
                    Compare again
                  </button>
                </>
              ) : null}
              {run.phase === 'error' ? <ErrorNote error={run.error} onRetry={restart} /> : null}
            </div>
          ) : null}
          {ready && !key && diff.loading ? <Loading what="Comparing" /> : null}
          {ready && diff.error ? <ErrorNote error={diff.error} onRetry={diff.reload} /> : null}
          {ready && counts && (d || key) ? (
            <div className="diff-summary" data-testid="diff-summary">
              <span className="pill diff-added">+{formatCount(counts.added)} rows added</span>
              <span className="pill diff-removed">−{formatCount(counts.removed)} removed</span>
              <span className="pill diff-changed">~{formatCount(counts.changed)} changed</span>
              <span className="pill">{formatCount(counts.unchanged)} unchanged</span>
              {running ? <span className="pill">so far</span> : null}
              {d?.columnsAdded.length ? (
                <span className="pill diff-added">columns added: {d.columnsAdded.join(', ')}</span>
              ) : null}
              {d?.columnsRemoved.length ? (
                <span className="pill diff-removed">columns removed: {d.columnsRemoved.join(', ')}</span>
              ) : null}
              {d && !d.columnsAdded.length && !d.columnsRemoved.length ? (
                <span className="pill">same columns</span>
              ) : null}
            </div>
          ) : null}
          {ready && d ? (
            <>
              <div className="segmented compare-filter" role="group" aria-label="Show rows">
                {SHOWS.map((s) => (
                  <button
                    key={s}
                    type="button"
                    className={s === show ? 'active' : undefined}
                    aria-pressed={s === show}
                    onClick={() => go({ show: s })}
                  >
                    {s === 'all' ? 'All' : s === 'added' ? 'Added' : s === 'removed' ? 'Removed' : 'Changed'}
                    {s !== 'all' && counts ? ` (${formatCount(counts[s])})` : ''}
                  </button>
                ))}
              </div>
              {key && diff.loading ? <Loading what="Loading rows" /> : null}
              {d.rows.length === 0 ? (
                <Empty
                  title={
                    counts && counts.added + counts.removed + counts.changed === 0
                      ? 'The two versions have the same rows.'
                      : show === 'all'
                        ? 'No row detail returned.'
                        : `No ${show} rows.`
                  }
                />
              ) : (
                <div className="table-wrap" tabIndex={0} aria-label="Row changes">
                  <table className="table diff-table">
                    <thead>
                      <tr>
                        <th>Change</th>
                        {columns.map((c) => (
                          <th
                            key={c}
                            className={
                              c === key
                                ? 'diff-key'
                                : d.columnsAdded.includes(c)
                                  ? 'diff-added'
                                  : d.columnsRemoved.includes(c)
                                    ? 'diff-removed'
                                    : undefined
                            }
                          >
                            {c}
                            {c === key ? ' (key)' : ''}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {d.rows.map((r, i) => (
                        <ChangeRow key={i} change={r} columns={columns} />
                      ))}
                    </tbody>
                  </table>
                  {d.pages !== null && d.pages > 1 ? (
                    <div className="pager">
                      <button
                        type="button"
                        className="secondary small"
                        disabled={page <= 1}
                        onClick={() => setPage((p) => p - 1)}
                      >
                        ← Previous
                      </button>
                      <span className="muted">
                        Page {page} of {d.pages} (up to {PER_PAGE} rows {show === 'all' ? 'of each kind ' : ''}per page)
                      </span>
                      <button
                        type="button"
                        className="secondary small"
                        disabled={page >= d.pages}
                        onClick={() => setPage((p) => p + 1)}
                      >
                        Next →
                      </button>
                    </div>
                  ) : null}
                </div>
              )}
            </>
          ) : null}
        </>
      )}
    </>
  );
}
