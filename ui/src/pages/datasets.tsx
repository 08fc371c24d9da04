// Datasets: every dataset group with its latest version's status and row count, grouped by folder; search; create a group.
import { useEffect, useState } from 'react';
import { call } from '../lib/api';
import { groupByFolder } from '../lib/folders';
import { formatCount, formatDate, versionLabel } from '../lib/format';
import { latestVersionByGroup } from '../lib/latest';
import { navigate, queryParam, replaceQuery } from '../lib/router';
import type { Dataset, DatasetGroup } from '../lib/types';
import { useMutation } from '@tanstack/react-query';
import { keys, useApiQuery, useInvalidate } from '../lib/queries';
import { Empty, ErrorNote, Link, Loading, PageHeader, StatusBadge, errorMessage } from '../components/common';
import { handler } from '../lib/event-handler';

interface ListData {
  groups: DatasetGroup[];
  totalGroups: number;
  pages: number;
  latest: Map<number, Dataset>;
}

/** Groups per page of the list (the API allows at most 100 per request). */
const GROUPS_PER_PAGE = 50;

/** The latest version of each listed group: one request for the recent versions, then one per group it missed. */
async function latestOf(groups: DatasetGroup[], q: string, signal: AbortSignal): Promise<Map<number, Dataset>> {
  const recent = await call('GET', '/api/public/v2/datasets', {
    query: { name: q, per_page: 100, include_failed: 'true', sort_by: 'updated_at' },
    signal,
  });
  const found = latestVersionByGroup(recent.datasets);
  const missing = groups.filter((g) => !found.has(g.id));
  const more = await Promise.all(
    missing.map((g) =>
      call('GET', '/api/public/v2/datasets', {
        query: { dataset_group_id: g.id, per_page: 20, include_failed: 'true', sort_by: 'updated_at' },
        signal,
      }),
    ),
  );
  for (const [id, d] of latestVersionByGroup(more.flatMap((m) => m.datasets))) found.set(id, d);
  return found;
}

function FolderIcon() {
  return (
    <svg className="folder-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <path
        d="M1.5 3.5h4l1.5 1.5h7.5v8h-13z"
        fill="currentColor"
        opacity="0.35"
        stroke="currentColor"
        strokeWidth="1"
      />
    </svg>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function CreateGroupForm({ onCreated }: { onCreated: (g: DatasetGroup) => void }) {
  const [name, setName] = useState('');
  const invalidate = useInvalidate();
  // The new group is in every list of groups from now on (the cached ones refetch).
  const create = useMutation({
    mutationFn: (groupName: string) => call('POST', '/api/public/v2/dataset-groups', { body: { name: groupName } }),
    onSuccess: () => invalidate(keys.groups),
  });
  const busy = create.isPending;
  const error = create.error ? errorMessage(create.error) : null;
  return (
    <form
      className="inline-form panel"
      aria-label="Create a dataset group"
      onSubmit={handler(async (e) => {
        e.preventDefault();
        if (!name.trim()) return;
        try {
          const res = await create.mutateAsync(name.trim());
          setName('');
          onCreated(res.dataset_group);
        } catch {
          // Shown from create.error.
        }
      })}
    >
      <label className="grow">
        New dataset group
        <input
          name="group-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. support/refund-questions"
          maxLength={255}
        />
      </label>
      <button type="submit" disabled={busy || !name.trim()}>
        {busy ? 'Creating…' : 'Create group'}
      </button>
      <div className="hint muted">A “/” in the name files the group in a folder.</div>
      {error ? (
        <div className="error" role="alert">
          {error}
        </div>
      ) : null}
    </form>
  );
}

export function DatasetsPage() {
  // Search-as-you-type and the page live in the URL (?q=…&page=N), so Back from a group restores them.
  const [search, setSearch] = useState(() => queryParam('q') ?? '');
  const q = useDebounced(search.trim(), 250);
  const [page, setPage] = useState(() => Math.max(1, Number(queryParam('page')) || 1));
  const [lastQ, setLastQ] = useState(q);
  if (q !== lastQ) {
    setLastQ(q);
    setPage(1);
  }
  useEffect(() => replaceQuery({ q: q || null, page: page > 1 ? page : null }), [q, page]);
  const list = useApiQuery<ListData>(
    [...keys.groups, 'with-latest', { q, page }],
    async (signal) => {
      const groups = await call('GET', '/api/public/v2/dataset-groups', {
        query: { name: q, per_page: GROUPS_PER_PAGE, page },
        signal,
      });
      const latest = await latestOf(groups.dataset_groups, q, signal);
      return { groups: groups.dataset_groups, totalGroups: groups.total, pages: groups.pages, latest };
    },
    { pollMs: 2000, pollWhile: (d) => [...d.latest.values()].some((v) => v.status === 'processing') },
  );

  const folders = list.data ? groupByFolder(list.data.groups) : [];

  return (
    <>
      <PageHeader title="Datasets" subtitle="Dataset groups and their versions in this workspace." />
      <CreateGroupForm onCreated={(g) => navigate(`/datasets/groups/${g.id}`)} />
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search dataset groups</span>
          <input
            type="search"
            placeholder="Search by name…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-label="Search dataset groups"
          />
        </label>
        {list.data ? (
          <span className="muted">
            {formatCount(list.data.totalGroups)} group{list.data.totalGroups === 1 ? '' : 's'}
            {list.data.pages > 1 ? ` · page ${page} of ${list.data.pages}` : ''}
          </span>
        ) : null}
      </div>
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.loading ? <Loading what="Loading datasets" /> : null}
      {list.data && list.data.groups.length === 0 ? (
        <Empty title={q ? `No dataset group matches “${q}”.` : 'No datasets yet.'}>
          {q ? 'Try another search.' : 'Create a group above, then upload a file or build a version from request logs.'}
        </Empty>
      ) : null}
      {folders.map((f) => (
        <section key={f.folder || '(none)'} className="folder">
          {folders.length > 1 || f.folder ? (
            <h2 className="folder-title">
              {f.folder ? (
                <>
                  <FolderIcon /> {f.folder}
                </>
              ) : (
                'No folder'
              )}
            </h2>
          ) : null}
          <div className="table-wrap">
            <table className="table groups-table">
              {/* The same column widths in every folder's table, so the columns line up down the page. */}
              <colgroup>
                <col className="col-name" />
                <col className="col-version" />
                <col className="col-status" />
                <col className="col-rows" />
                <col className="col-updated" />
              </colgroup>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Latest version</th>
                  <th>Status</th>
                  <th className="num">Rows</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {f.groups.map((g) => {
                  const v = list.data!.latest.get(g.id);
                  const shortName =
                    f.folder && g.name.startsWith(`${f.folder}/`) ? g.name.slice(f.folder.length + 1) : g.name;
                  return (
                    <tr key={g.id}>
                      <td>
                        <Link to={`/datasets/groups/${g.id}`}>{shortName}</Link>
                      </td>
                      <td>
                        {v
                          ? v.version_number > 0
                            ? versionLabel(v.version_number)
                            : v.status === 'processing'
                              ? 'new version'
                              : 'no versions yet'
                          : '—'}
                      </td>
                      <td>{v ? <StatusBadge status={v.status} /> : '—'}</td>
                      <td className="num">{v && v.version_number > 0 ? formatCount(v.row_count) : '—'}</td>
                      <td>{formatDate(v?.updated_at ?? g.updated_at ?? g.created_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      {list.data && list.data.pages > 1 ? (
        <nav className="pager" aria-label="Dataset group pages">
          <button type="button" className="secondary small" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            ← Previous
          </button>
          <span className="muted">
            Page {page} of {list.data.pages}
          </span>
          <button
            type="button"
            className="secondary small"
            disabled={page >= list.data.pages}
            onClick={() => setPage((p) => p + 1)}
          >
            Next →
          </button>
        </nav>
      ) : null}
    </>
  );
}
