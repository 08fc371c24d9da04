// Rows of one version: header with its facts, search, and the grid. A published version is read-only (with "New draft
// from vN"); a draft is edited here: cells inline, rows added / deleted, columns added / renamed / removed, then
// saved as the next version (with progress until it is ready) or discarded.
import { useEffect, useRef, useState } from 'react';
import { call } from '../lib/api';
import { formatCount, formatDate, versionLabel } from '../lib/format';
import { navigate, queryParam, replaceQuery } from '../lib/router';
import type { Dataset } from '../lib/types';
import { keys, useApiQuery, useInvalidate, versionChanged } from '../lib/queries';
import { ErrorNote, Link, Loading, PageHeader, StatusBadge, errorMessage } from '../components/common';
import { ColumnDialog, type ColumnActions, type ColumnDialogMode } from '../components/column-dialog';
import { ConfirmDialog } from '../components/confirm-dialog';
import { NewDraftButtons } from '../components/draft-actions';
import { RowsGrid, type GridEditing } from '../components/rows-grid';
import { ColumnStatsPanel } from '../components/column-stats-panel';

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
  const invalidate = useInvalidate();
  const ds = useApiQuery(
    keys.dataset(id),
    (signal) => call('GET', '/api/public/v2/datasets/{id}', { path: { id }, signal }),
    { pollMs: 1000, pollWhile: (d) => d.dataset.status === 'processing' },
  );

  if (ds.loading) return <Loading what="Loading version" />;
  if (!ds.data) return <ErrorNote error={ds.error} onRetry={ds.reload} />;
  const d = ds.data.dataset;
  const isDraft = d.version_number < 0;
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
        subtitle={`${formatCount(d.row_count)} rows · ${d.column_names.length} columns · ${d.origin}${d.file_name ? ` (${d.file_name})` : ''}${
          isDraft && d.source_dataset_id ? ` · copied from dataset ${d.source_dataset_id}` : ''
        } · created ${formatDate(d.created_at)}`}
        actions={
          d.status === 'ready' && d.version_number > 0 ? (
            <NewDraftButtons groupId={d.dataset_group_id} source={d} empty={false} />
          ) : undefined
        }
      />
      {d.status === 'failed' ? (
        <ErrorNote error={new Error(`This version failed: ${d.error ?? 'unknown error'}`)} />
      ) : null}
      {d.status === 'draft' || d.status === 'processing' || d.status === 'ready' ? (
        <DraftOrVersion
          key={d.id}
          d={d}
          search={search}
          setSearch={setSearch}
          q={q}
          initialRow={q === initial.current.q ? initial.current.row : 0}
          // An edit changes the version (rows, columns, status) and what its group's pages show of it.
          reloadDataset={() => void invalidate(...versionChanged(d.dataset_group_id, d.id))}
        />
      ) : null}
    </div>
  );
}

function DraftOrVersion({
  d,
  search,
  setSearch,
  q,
  initialRow,
  reloadDataset,
}: {
  d: Dataset;
  search: string;
  setSearch: (s: string) => void;
  q: string;
  initialRow: number;
  reloadDataset: () => void;
}) {
  // 'sent': save-draft accepted, the draft not yet seen being saved; 'saving': seen processing; 'done': published.
  const [saving, setSaving] = useState<{ phase: 'sent' | 'saving' | 'done'; errorBefore: string | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<{ where: string; message: string } | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const invalidate = useInvalidate();
  const [goToEnd, setGoToEnd] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [columnDialog, setColumnDialog] = useState<ColumnDialogMode | null>(null);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [busy, setBusy] = useState(false);
  const editable = d.status === 'draft' && saving === null;

  // A save ends when the draft is a published version, or back to a draft with a new error (its edits kept).
  useEffect(() => {
    if (!saving || saving.phase === 'done') return;
    if (d.status === 'ready' && d.version_number > 0) setSaving({ ...saving, phase: 'done' });
    else if (d.status === 'processing' && saving.phase === 'sent') setSaving({ ...saving, phase: 'saving' });
    else if (d.status === 'draft' && (saving.phase === 'saving' || d.error !== saving.errorBefore)) {
      setSaving(null);
      setActionError({
        where: 'save',
        message: d.error ? `Saving failed: ${d.error}` : 'Saving did not finish; the draft is unchanged.',
      });
    }
  }, [saving, d.status, d.version_number, d.error]);

  const changed = (message?: string) => {
    setReloadKey((k) => k + 1);
    reloadDataset();
    if (message) setNotice(message);
  };
  const act = async (where: string, fn: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await fn();
    } catch (e) {
      setActionError({ where, message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const errorAt = (where: string) =>
    actionError?.where === where ? (
      <span className="error-inline" role="alert" data-testid={`error-${where}`}>
        {actionError.message}
      </span>
    ) : null;

  const editing: GridEditing | undefined = editable
    ? {
        saveCell: async (rowId, column, value) => {
          const res = await call('PATCH', '/api/public/v2/datasets/{id}/rows/{row_id}', {
            path: { id: d.id, row_id: rowId },
            body: { values: { [column]: value } },
          });
          return res.row.values;
        },
        selected,
        toggleSelected: (rowId) =>
          setSelected((s) => {
            const next = new Set(s);
            if (!next.delete(rowId)) next.add(rowId);
            return next;
          }),
        onColumnMenu: (column) => setColumnDialog({ kind: 'edit', column }),
      }
    : undefined;

  const columnActions: ColumnActions = {
    add: async (name, defaultValue) => {
      await call('POST', '/api/public/v2/datasets/{id}/columns', {
        path: { id: d.id },
        body: { name, default_value: defaultValue ?? undefined },
      });
      changed(`Column “${name}” added.`);
    },
    rename: async (from, to) => {
      await call('POST', '/api/public/v2/datasets/{id}/columns/rename', { path: { id: d.id }, body: { from, to } });
      changed(`Column “${from}” renamed to “${to}”.`);
    },
    remove: async (name) => {
      await call('POST', '/api/public/v2/datasets/{id}/columns/remove', { path: { id: d.id }, body: { name } });
      changed(`Column “${name}” removed.`);
    },
  };

  if (d.status === 'processing' || saving?.phase === 'sent' || saving?.phase === 'saving') {
    return (
      <div data-testid="draft-progress">
        <Loading
          what={
            saving
              ? `Saving as the next version (${formatCount(d.row_count)} rows)`
              : d.origin === 'draft' && d.version_number < 0
                ? 'Preparing the draft (copying rows from the source version)'
                : 'This version is still being processed'
          }
        />
      </div>
    );
  }

  return (
    <>
      {saving?.phase === 'done' ? (
        <div className="notice success" role="status" data-testid="saved-notice">
          The draft is saved as <Link to={`/datasets/versions/${d.id}`}>{versionLabel(d.version_number)}</Link> (
          {formatCount(d.row_count)} rows), now read-only.{' '}
          <Link to={`/datasets/groups/${d.dataset_group_id}`}>Back to the group</Link>
        </div>
      ) : null}
      {editable ? (
        <div className="draft-bar" role="region" aria-label="Draft editing">
          <div className="draft-bar-row">
            <strong>Editing a draft.</strong>
            <span className="muted">Changes are saved as you make them; published versions never change.</span>
            <span className="spacer" />
            <button
              type="button"
              disabled={busy || d.column_names.length === 0}
              title={d.column_names.length === 0 ? 'Add a column first' : undefined}
              onClick={() =>
                void act('save', async () => {
                  await call('POST', '/api/public/v2/dataset-versions/save-draft', {
                    body: { dataset_group_id: d.dataset_group_id },
                  });
                  setSaving({ phase: 'sent', errorBefore: d.error });
                  reloadDataset();
                })
              }
            >
              Save as next version
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDiscard(true)}>
              Discard draft
            </button>
          </div>
          {errorAt('save')}
          {d.error ? <div className="error-inline">The last save failed: {d.error}</div> : null}
        </div>
      ) : null}
      <div className="toolbar">
        <input
          type="search"
          className="grow"
          placeholder="Search cell values…"
          aria-label="Search rows"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {editable ? (
          <span className="edit-actions" role="group" aria-label="Edit rows and columns">
            <button
              type="button"
              className="secondary"
              disabled={busy || d.column_names.length === 0}
              title={d.column_names.length === 0 ? 'Add a column first' : undefined}
              onClick={() =>
                void act('rows', async () => {
                  await call('POST', '/api/public/v2/datasets/{id}/rows', { path: { id: d.id }, body: { rows: [{}] } });
                  changed();
                  setGoToEnd((n) => n + 1);
                })
              }
            >
              Add row
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || selected.size === 0}
              onClick={() =>
                void act('rows', async () => {
                  const res = await call('POST', '/api/public/v2/datasets/{id}/rows/delete', {
                    path: { id: d.id },
                    body: { row_ids: [...selected] },
                  });
                  setSelected(new Set());
                  changed(`${res.deleted.length} row${res.deleted.length === 1 ? '' : 's'} deleted.`);
                })
              }
            >
              Delete {selected.size ? `${selected.size} selected` : 'selected'} row{selected.size === 1 ? '' : 's'}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => setColumnDialog({ kind: 'add' })}
            >
              Add column
            </button>
            {errorAt('rows')}
          </span>
        ) : null}
        <span className="muted hint">
          {editable
            ? '↑↓←→ move · Enter or typing edits · Enter/Tab saves · Esc cancels · Shift+Space selects · Space shows the row'
            : '↑↓←→ move · Enter expands a cell · Space shows the row · click a header to sort'}
        </span>
      </div>
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      {/* Column statistics above the grid (issue 12, item 11); a draft's are refetched after each change. */}
      {d.column_names.length > 0 ? <ColumnStatsPanel datasetId={d.id} reloadKey={`${d.status}:${reloadKey}`} /> : null}
      {editable && d.column_names.length === 0 && d.row_count === 0 ? (
        <div className="state empty">
          <strong>This draft is empty.</strong>
          <div className="muted">
            Add a column, then rows; or start from a published version with “New draft from vN” on the group page.
          </div>
        </div>
      ) : (
        <RowsGrid
          datasetId={d.id}
          q={q}
          reloadKey={reloadKey}
          columnsHint={d.column_names}
          editing={editing}
          goToEnd={goToEnd}
          initialRow={initialRow}
          onTopRowChange={(row) => replaceQuery({ row: row > 0 ? row + 1 : null })}
        />
      )}
      {columnDialog ? (
        <ColumnDialog mode={columnDialog} actions={columnActions} onClose={() => setColumnDialog(null)} />
      ) : null}
      {confirmDiscard ? (
        <ConfirmDialog
          title="Discard this draft?"
          confirmLabel="Discard draft"
          onClose={() => setConfirmDiscard(false)}
          onConfirm={async () => {
            await call('DELETE', '/api/public/v2/datasets/{id}', { path: { id: d.id } });
            await invalidate(...versionChanged(d.dataset_group_id));
            navigate(`/datasets/groups/${d.dataset_group_id}`);
          }}
        >
          <p>
            Its {formatCount(d.row_count)} rows and every edit are dropped. Published versions of “
            {d.dataset_group.name}” are not touched.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
