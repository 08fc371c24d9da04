// Compare two versions of a group: columns and rows added, removed and changed, with changed cells highlighted.
import { useState } from 'react';
import { api } from '../lib/api';
import { normaliseDiff, type RowChange } from '../lib/diff';
import { formatCount, previewCell, versionLabel } from '../lib/format';
import { hrefOf, navigate } from '../lib/router';
import type { Dataset, DatasetGroup } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Empty, ErrorNote, Loading, PageHeader } from '../components/common';

function ChangeRow({ change, columns }: { change: RowChange; columns: string[] }) {
  const changed = new Set(change.changedColumns);
  return (
    <tr className={`diff-${change.kind}`}>
      <td className="diff-kind">{change.kind === 'added' ? '+ added' : change.kind === 'removed' ? '− removed' : '~ changed'}</td>
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
function VersionPicker({ label, versions, value, onPick }: { label: string; versions: Dataset[]; value?: number; onPick: (id: number) => void }) {
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

export function ComparePage({ groupId, a, b }: { groupId: number; a?: number; b?: number }) {
  const group = useApi((signal) => api<{ dataset_group: DatasetGroup; datasets: Dataset[] }>('GET', `/api/public/v2/dataset-groups/${groupId}`, { signal }), [groupId]);
  const versions = (group.data?.datasets ?? []).filter((d) => d.version_number > 0 && d.status === 'ready').sort((x, y) => x.version_number - y.version_number);
  // Defaults: the two newest versions, older as the base.
  const base = versions.find((v) => v.id === a) ?? versions[versions.length - 2];
  const other = versions.find((v) => v.id === b) ?? versions[versions.length - 1];
  const ready = base && other && base.id !== other.id;
  const [page, setPage] = useState(1);
  const pairKey = ready ? `${base.id}:${other.id}` : '';
  const [shownPair, setShownPair] = useState(pairKey);
  if (shownPair !== pairKey) {
    setShownPair(pairKey);
    setPage(1);
  }
  const diff = useApi(
    async (signal) => (ready ? api<unknown>('GET', `/api/public/v2/datasets/${other.id}/diff`, { query: { against: base.id, page, per_page: 100 }, signal }) : null),
    [ready ? base.id : 0, ready ? other.id : 0, page],
  );

  if (group.loading) return <Loading what="Loading versions" />;
  if (!group.data) return <ErrorNote error={group.error} onRetry={group.reload} />;
  const g = group.data.dataset_group;
  const pick = (which: 'a' | 'b', id: number) => navigate(hrefOf({ name: 'compare', groupId, a: which === 'a' ? id : base?.id, b: which === 'b' ? id : other?.id }), { replace: true });

  const d = diff.data ? normaliseDiff(diff.data, base?.column_names ?? [], other?.column_names ?? []) : null;
  const columns = [...new Set([...(other?.column_names ?? []), ...(base?.column_names ?? [])])];

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
        <Empty title="Two published versions are needed to compare.">This group has {versions.length === 1 ? 'one' : 'no'} ready version.</Empty>
      ) : (
        <>
          <div className="toolbar compare-pickers">
            <VersionPicker label="Base" versions={versions} value={base?.id} onPick={(id) => pick('a', id)} />
            <span aria-hidden="true">→</span>
            <VersionPicker label="Compared" versions={versions} value={other?.id} onPick={(id) => pick('b', id)} />
          </div>
          {!ready ? <Empty title="Pick two different versions." /> : null}
          {ready && diff.loading ? <Loading what="Comparing" /> : null}
          {ready && diff.error ? <ErrorNote error={diff.error} onRetry={diff.reload} /> : null}
          {ready && d ? (
            <>
              <div className="diff-summary" data-testid="diff-summary">
                <span className="pill diff-added">+{formatCount(d.counts.added)} rows added</span>
                <span className="pill diff-removed">−{formatCount(d.counts.removed)} removed</span>
                <span className="pill diff-changed">~{formatCount(d.counts.changed)} changed</span>
                {d.counts.unchanged !== null ? <span className="pill">{formatCount(d.counts.unchanged)} unchanged</span> : null}
                {d.columnsAdded.length ? <span className="pill diff-added">columns added: {d.columnsAdded.join(', ')}</span> : null}
                {d.columnsRemoved.length ? <span className="pill diff-removed">columns removed: {d.columnsRemoved.join(', ')}</span> : null}
                {!d.columnsAdded.length && !d.columnsRemoved.length ? <span className="pill">same columns</span> : null}
              </div>
              {d.rows.length === 0 ? (
                <Empty title={d.counts.added + d.counts.removed + d.counts.changed === 0 ? 'The two versions have the same rows.' : 'No row detail returned.'} />
              ) : (
                <div className="table-wrap">
                  <table className="table diff-table">
                    <thead>
                      <tr>
                        <th>Change</th>
                        {columns.map((c) => (
                          <th key={c} className={d.columnsAdded.includes(c) ? 'diff-added' : d.columnsRemoved.includes(c) ? 'diff-removed' : undefined}>
                            {c}
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
                      <button type="button" className="secondary small" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                        ← Previous
                      </button>
                      <span className="muted">
                        Page {page} of {d.pages} (up to 100 rows of each kind per page)
                      </span>
                      <button type="button" className="secondary small" disabled={page >= d.pages} onClick={() => setPage((p) => p + 1)}>
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
