// Rows of one version: header with its facts, search, and the virtualised grid.
import { useEffect, useRef, useState } from 'react';
import { api } from '../lib/api';
import { formatCount, formatDate, versionLabel } from '../lib/format';
import { queryParam, replaceQuery } from '../lib/router';
import type { Dataset } from '../lib/types';
import { useApi } from '../lib/use-api';
import { ErrorNote, Loading, PageHeader, StatusBadge } from '../components/common';
import { RowsGrid } from '../components/rows-grid';

export function RowsPage({ id }: { id: number }) {
  // Search text and the top row live in the URL (?q=…&row=N, row 1-based) so Back and shared links restore them.
  const [search, setSearch] = useState(() => queryParam('q') ?? '');
  const [q, setQ] = useState(() => (queryParam('q') ?? '').trim());
  // The row from the URL applies to the search it was saved with.
  const initial = useRef({ q, row: Math.max(0, Number(queryParam('row') ?? 0) - 1) || 0 });
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim());
      if (search.trim() !== q) replaceQuery({ q: search.trim(), row: null });
    }, 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);
  const ds = useApi((signal) => api<{ dataset: Dataset }>('GET', `/api/public/v2/datasets/${id}`, { signal }), [id], {
    pollMs: 1000,
    pollWhile: (d) => d.dataset.status === 'processing',
  });

  if (ds.loading) return <Loading what="Loading version" />;
  if (!ds.data) return <ErrorNote error={ds.error} onRetry={ds.reload} />;
  const d = ds.data.dataset;
  return (
    <div className="rows-page">
      <PageHeader
        crumbs={[
          { label: 'Datasets', to: '/datasets' },
          { label: d.dataset_group.name, to: `/datasets/groups/${d.dataset_group_id}` },
        ]}
        title={
          <>
            {d.dataset_group.name} · {versionLabel(d.version_number)} <StatusBadge status={d.status} />
          </>
        }
        subtitle={`${formatCount(d.row_count)} rows · ${d.column_names.length} columns · ${d.origin}${d.file_name ? ` (${d.file_name})` : ''} · created ${formatDate(d.created_at)}`}
      />
      {d.status === 'processing' ? <Loading what="This version is still being processed" /> : null}
      {d.status === 'failed' ? <ErrorNote error={new Error(`This version failed: ${d.error ?? 'unknown error'}`)} /> : null}
      {d.status === 'ready' || d.status === 'draft' ? (
        <>
          <div className="toolbar">
            <input type="search" className="grow" placeholder="Search cell values…" aria-label="Search rows" value={search} onChange={(e) => setSearch(e.target.value)} />
            <span className="muted hint">↑↓←→ move · Enter expands a cell · drag a header edge to resize</span>
          </div>
          <RowsGrid datasetId={d.id} q={q} initialRow={q === initial.current.q ? initial.current.row : 0} onTopRowChange={(row) => replaceQuery({ row: row > 0 ? row + 1 : null })} />
        </>
      ) : null}
    </div>
  );
}
