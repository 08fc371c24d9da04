// A dataset group: its versions with live status, export, delete and filter params; upload; links to build and compare.
import { useState } from 'react';
import { ApiError, authHeaders, call, errorFromResponse } from '../lib/api';
import { pathsApiPublicV2DatasetsIdExportGetParametersQueryFormatValues as EXPORT_FORMAT_VALUES } from '../lib/api-types.gen';
import { describeFilterParams } from '../lib/filter-params';
import { formatCount, formatDate, versionLabel } from '../lib/format';
import { navigate } from '../lib/router';
import type { Dataset } from '../lib/types';
import { keys, useApiQuery, useInvalidate, versionChanged } from '../lib/queries';
import { Empty, ErrorNote, Link, Loading, PageHeader, StatusBadge, errorMessage } from '../components/common';
import { UploadPanel } from '../components/upload-panel';
import { NewDraftButtons } from '../components/draft-actions';
import { draftOf, isBlankDraft } from '../lib/draft-edit';
import { handler } from '../lib/event-handler';

/** The formats the export route accepts: its `format` enum, generated from /openapi.json. */
export const EXPORT_FORMATS = EXPORT_FORMAT_VALUES;

/** Downloads an export with the session's credentials (a plain link could not send them). */
async function download(dataset: Dataset, format: (typeof EXPORT_FORMATS)[number]): Promise<void> {
  const res = await fetch(`/api/public/v2/datasets/${dataset.id}/export?format=${format}`, { headers: authHeaders() });
  if (!res.ok) throw errorFromResponse(res.status, await res.text());
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name
    ? decodeURIComponent(name)
    : `${dataset.dataset_group.name.replace(/[^\w.-]+/g, '_')}-v${dataset.version_number}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function ExportButtons({ dataset, onError }: { dataset: Dataset; onError: (message: string) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  return (
    <span className="export-buttons" role="group" aria-label={`Export ${versionLabel(dataset.version_number)}`}>
      {EXPORT_FORMATS.map((f) => (
        <button
          key={f}
          type="button"
          className="secondary small"
          disabled={busy !== null}
          title={`Download ${versionLabel(dataset.version_number)} as ${f.toUpperCase()}`}
          onClick={handler(async () => {
            setBusy(f);
            try {
              await download(dataset, f);
            } catch (e) {
              onError(
                e instanceof ApiError && e.notAvailable
                  ? 'Export is not available on this server yet.'
                  : `Export as ${f} failed: ${errorMessage(e)}`,
              );
            } finally {
              setBusy(null);
            }
          })}
        >
          {busy === f ? '…' : f.toUpperCase()}
        </button>
      ))}
    </span>
  );
}

function FilterParams({ params }: { params: Record<string, unknown> }) {
  const lines = describeFilterParams(params);
  if (lines.length === 0) return <span className="muted">all request logs (no filters)</span>;
  return (
    <dl className="filter-params">
      {lines.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function GroupPage({ id }: { id: number }) {
  const [notice, setNotice] = useState<string | null>(null);
  const invalidate = useInvalidate();
  const group = useApiQuery(
    keys.group(id),
    (signal) => call('GET', '/api/public/v2/dataset-groups/{id}', { path: { id }, signal }),
    { pollMs: 1000, pollWhile: (d) => d.datasets.some((v) => v.status === 'processing') },
  );

  if (group.loading) return <Loading what="Loading dataset group" />;
  if (group.error && !group.data) return <ErrorNote error={group.error} onRetry={group.reload} />;
  const { dataset_group: g, datasets } = group.data!;
  const versions = [...datasets]
    .filter((d) => !(d.version_number < 0 && d.status === 'draft' && d.row_count === 0 && !d.filter_params))
    .sort(
      (a, b) =>
        (b.version_number > 0 ? b.version_number : 1e9 + b.id) - (a.version_number > 0 ? a.version_number : 1e9 + a.id),
    );
  const published = datasets.filter((d) => d.version_number > 0 && d.status === 'ready');
  const draft = draftOf(datasets);
  const latest = [...published].sort((a, b) => b.version_number - a.version_number)[0];

  const remove = async (what: 'group' | Dataset) => {
    const label =
      what === 'group'
        ? `the dataset group “${g.name}” and all its versions`
        : `${versionLabel(what.version_number)} of “${g.name}”`;
    if (!window.confirm(`Delete ${label}?`)) return;
    try {
      if (what === 'group') {
        await call('DELETE', '/api/public/v2/dataset-groups/{id}', { path: { id: g.id } });
        await invalidate(keys.groups);
        navigate('/datasets');
      } else {
        await call('DELETE', '/api/public/v2/datasets/{id}', { path: { id: what.id } });
        setNotice(`${versionLabel(what.version_number)} deleted.`);
        void invalidate(...versionChanged(g.id, what.id));
      }
    } catch (e) {
      setNotice(`Could not delete: ${errorMessage(e)}`);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Datasets', to: '/datasets' }]}
        title={g.name}
        subtitle={`${published.length} published version${published.length === 1 ? '' : 's'}`}
        actions={
          <>
            {draft && !isBlankDraft(draft) ? (
              <Link className="button" to={`/datasets/versions/${draft.id}`}>
                Open draft
              </Link>
            ) : (
              <NewDraftButtons groupId={g.id} source={latest} />
            )}
            <Link className="button secondary" to={`/datasets/groups/${g.id}/build`}>
              Build from request logs
            </Link>
            <Link
              className="button secondary"
              to={`/datasets/groups/${g.id}/compare`}
              aria-disabled={published.length < 2}
            >
              Compare versions
            </Link>
            <button type="button" className="danger" onClick={() => void remove('group')}>
              Delete group
            </button>
          </>
        }
      />
      {notice ? (
        <div className="notice" role="status">
          {notice}{' '}
          <button type="button" className="link-button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {group.error ? <ErrorNote error={group.error} onRetry={group.reload} /> : null}
      <UploadPanel groupId={g.id} onChanged={() => void invalidate(...versionChanged(g.id))} />
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        {versions.length === 0 ? (
          <Empty title="No versions yet.">Upload a file above, or build a version from request logs.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table versions">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Status</th>
                  <th className="hide-narrow">Origin</th>
                  <th className="num">Rows</th>
                  <th>Created</th>
                  <th className="hide-narrow">Source</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} data-version={v.version_number}>
                    <td>
                      {v.status === 'ready' || v.status === 'draft' ? (
                        <Link to={`/datasets/versions/${v.id}`}>{versionLabel(v.version_number)}</Link>
                      ) : (
                        versionLabel(v.version_number)
                      )}
                    </td>
                    <td>
                      <StatusBadge status={v.status} />
                      {v.status === 'failed' && v.error ? <div className="error-inline">{v.error}</div> : null}
                      {v.warnings.length ? <div className="warning-inline">{v.warnings.join('; ')}</div> : null}
                    </td>
                    <td className="hide-narrow">{v.origin}</td>
                    <td className="num">{v.status === 'processing' ? '…' : formatCount(v.row_count)}</td>
                    <td>{formatDate(v.created_at)}</td>
                    <td className="source hide-narrow">
                      {v.filter_params ? (
                        <details>
                          <summary>filter params</summary>
                          <FilterParams params={v.filter_params} />
                        </details>
                      ) : (
                        (v.file_name ?? (v.source_dataset_id ? `copy of dataset ${v.source_dataset_id}` : '—'))
                      )}
                    </td>
                    <td className="row-actions">
                      {v.status === 'ready' || v.status === 'draft' ? (
                        <Link className="button small" to={`/datasets/versions/${v.id}`}>
                          {v.status === 'draft' ? 'Edit' : 'Rows'}
                        </Link>
                      ) : null}
                      {v.status === 'ready' ? <ExportButtons dataset={v} onError={setNotice} /> : null}
                      {v.status !== 'processing' ? (
                        <button
                          type="button"
                          className="danger small"
                          onClick={() => void remove(v)}
                          aria-label={`Delete ${versionLabel(v.version_number)}`}
                        >
                          Delete
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
