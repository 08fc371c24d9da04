// Build a version from request logs: a form for every field of seed 003, a live count and sample, then create the version.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, call } from '../lib/api';
import {
  SCORE_OPERATORS,
  SORT_FIELDS,
  STATUSES,
  buildFilterBody,
  emptyFilterForm,
  type FilterErrors,
  type FilterForm,
  type KeyValue,
  type ScoreFilter,
  type FilterBody,
  type TemplateFilter,
} from '../lib/filter-params';
import { formatCount, previewCell } from '../lib/format';
import { normalisePreview, type Preview } from '../lib/preview';
import { navigate } from '../lib/router';
import { keys, useApiQuery, useInvalidate, versionChanged } from '../lib/queries';
import { ApiKeyPrompt } from '../components/api-key-prompt';
import { ErrorNote, Loading, PageHeader } from '../components/common';
import { handler } from '../lib/event-handler';

function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <label className={`field${error ? ' has-error' : ''}`}>
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="hint muted">{hint}</span> : null}
      {error ? <span className="field-error">{error}</span> : null}
    </label>
  );
}

function ListEditor<T>({
  legend,
  items,
  make,
  onChange,
  render,
  error,
}: {
  legend: string;
  items: T[];
  make: () => T;
  onChange: (items: T[]) => void;
  render: (item: T, set: (t: T) => void, i: number) => ReactNode;
  error?: string;
}) {
  return (
    <fieldset className={`list-editor${error ? ' has-error' : ''}`}>
      <legend>{legend}</legend>
      {items.map((item, i) => (
        <div className="list-row" key={i}>
          {render(item, (t) => onChange(items.map((x, j) => (j === i ? t : x))), i)}
          <button
            type="button"
            className="link-button"
            aria-label={`Remove ${legend} ${i + 1}`}
            onClick={() => onChange(items.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange([...items, make()])}>
        Add
      </button>
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}

const kvEditor = (legend: string, items: KeyValue[], onChange: (v: KeyValue[]) => void, error?: string) => (
  <ListEditor
    legend={legend}
    items={items}
    error={error}
    make={() => ({ key: '', value: '' })}
    onChange={onChange}
    render={(kv, set, i) => (
      <>
        <input
          aria-label={`${legend} ${i + 1} key`}
          placeholder="key"
          value={kv.key}
          onChange={(e) => set({ ...kv, key: e.target.value })}
        />
        <input
          aria-label={`${legend} ${i + 1} value`}
          placeholder="value"
          value={kv.value}
          onChange={(e) => set({ ...kv, value: e.target.value })}
        />
      </>
    )}
  />
);

const templateEditor = (
  legend: string,
  items: TemplateFilter[],
  onChange: (v: TemplateFilter[]) => void,
  error?: string,
) => (
  <ListEditor
    legend={legend}
    items={items}
    error={error}
    make={() => ({ name: '', version_numbers: '', labels: '' })}
    onChange={onChange}
    render={(t, set, i) => (
      <>
        <input
          aria-label={`${legend} ${i + 1} name`}
          placeholder="template name"
          value={t.name}
          onChange={(e) => set({ ...t, name: e.target.value })}
        />
        <input
          aria-label={`${legend} ${i + 1} versions`}
          placeholder="versions, e.g. 1, 3"
          value={t.version_numbers}
          onChange={(e) => set({ ...t, version_numbers: e.target.value })}
        />
        <input
          aria-label={`${legend} ${i + 1} labels`}
          placeholder="labels, e.g. prod"
          value={t.labels}
          onChange={(e) => set({ ...t, labels: e.target.value })}
        />
      </>
    )}
  />
);

type PreviewState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ok'; preview: Preview }
  | { kind: 'error'; error: unknown }
  | { kind: 'needs-key' };

export function BuildFromLogsPage({ groupId }: { groupId: number }) {
  const invalidate = useInvalidate();
  const group = useApiQuery(keys.group(groupId), (signal) =>
    call('GET', '/api/public/v2/dataset-groups/{id}', { path: { id: groupId }, signal }),
  );
  const [form, setForm] = useState<FilterForm>(emptyFilterForm);
  const [preview, setPreview] = useState<PreviewState>({ kind: 'idle' });
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);
  const [needsKeyForCreate, setNeedsKeyForCreate] = useState(false);
  const [keyEpoch, setKeyEpoch] = useState(0);
  const set = <K extends keyof FilterForm>(k: K, v: FilterForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const { body, errors } = buildFilterBody(form, groupId);
  const hasErrors = Object.keys(errors).length > 0;
  const bodyJson = JSON.stringify(body);
  const seq = useRef(0);

  // Live count and sample: debounced, only for a valid form; answers to older forms are dropped.
  useEffect(() => {
    if (hasErrors) return;
    const mine = ++seq.current;
    const t = setTimeout(
      handler(async () => {
        setPreview({ kind: 'loading' });
        try {
          const raw = await call('POST', '/api/public/v2/dataset-versions/from-filter-params/preview', {
            body: JSON.parse(bodyJson) as FilterBody,
            auth: 'api_key',
          });
          if (mine === seq.current) setPreview({ kind: 'ok', preview: normalisePreview(raw) });
        } catch (e) {
          if (mine !== seq.current) return;
          setPreview(e instanceof ApiError && e.apiKeyOnly ? { kind: 'needs-key' } : { kind: 'error', error: e });
        }
      }),
      400,
    );
    return () => clearTimeout(t);
  }, [bodyJson, hasErrors, keyEpoch]);

  const create = async () => {
    setCreating(true);
    setCreateError(null);
    try {
      await call('POST', '/api/public/v2/dataset-versions/from-filter-params', {
        body,
        auth: 'api_key',
      });
      await invalidate(...versionChanged(groupId));
      navigate(`/datasets/groups/${groupId}`);
    } catch (e) {
      if (e instanceof ApiError && e.apiKeyOnly) setNeedsKeyForCreate(true);
      else setCreateError(e);
    } finally {
      setCreating(false);
    }
  };

  if (group.loading) return <Loading what="Loading dataset group" />;
  if (!group.data) return <ErrorNote error={group.error} onRetry={group.reload} />;
  const g = group.data.dataset_group;
  const e: FilterErrors = errors;

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Datasets', to: '/datasets' },
          { label: g.name, to: `/datasets/groups/${g.id}` },
        ]}
        title="Build a version from request logs"
        subtitle="Choose which logs become rows. Times are UTC. Empty fields do not filter."
      />
      <div className="build-layout">
        <form
          className="panel filter-form"
          aria-label="Request log filters"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (!hasErrors) void create();
          }}
        >
          <div className="form-grid">
            <Field label="Start time (UTC)" error={e.start_time}>
              <input
                type="datetime-local"
                name="start_time"
                value={form.start_time}
                onChange={(ev) => set('start_time', ev.target.value)}
              />
            </Field>
            <Field label="End time (UTC)" error={e.end_time}>
              <input
                type="datetime-local"
                name="end_time"
                value={form.end_time}
                onChange={(ev) => set('end_time', ev.target.value)}
              />
            </Field>
            <Field label="Limit" error={e.limit} hint="0 to 50,000">
              <input
                name="limit"
                inputMode="numeric"
                value={form.limit}
                onChange={(ev) => set('limit', ev.target.value)}
              />
            </Field>
            <Field label="Search text (q)" hint="in prompt input and output">
              <input name="q" value={form.q} onChange={(ev) => set('q', ev.target.value)} />
            </Field>
            <Field label="Request log id" error={e.id}>
              <input name="id" inputMode="numeric" value={form.id} onChange={(ev) => set('id', ev.target.value)} />
            </Field>
            <Field label="Tags (all of)" hint="comma-separated">
              <input name="tags_and" value={form.tags_and} onChange={(ev) => set('tags_and', ev.target.value)} />
            </Field>
            <Field label="Tags (any of)" hint="comma-separated">
              <input name="tags_or" value={form.tags_or} onChange={(ev) => set('tags_or', ev.target.value)} />
            </Field>
            <Field label="Sort by">
              <select
                name="sort_by"
                value={form.sort_by}
                onChange={(ev) => set('sort_by', ev.target.value as FilterForm['sort_by'])}
              >
                <option value="">(server default)</option>
                {SORT_FIELDS.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Sort order" error={e.sort_order}>
              <select
                name="sort_order"
                value={form.sort_order}
                onChange={(ev) => set('sort_order', ev.target.value as FilterForm['sort_order'])}
              >
                <option value="">(desc when sorting)</option>
                <option value="asc">ascending</option>
                <option value="desc">descending</option>
              </select>
            </Field>
            <Field label="Input variables as columns" hint="comma-separated; empty = all">
              <input
                name="variables_to_parse"
                value={form.variables_to_parse}
                onChange={(ev) => set('variables_to_parse', ev.target.value)}
              />
            </Field>
            <Field label="Extra log fields as columns" hint="include_fields, comma-separated">
              <input
                name="include_fields"
                value={form.include_fields}
                onChange={(ev) => set('include_fields', ev.target.value)}
              />
            </Field>
          </div>
          <fieldset className="checks">
            <legend>Status</legend>
            {STATUSES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={form.status.includes(s)}
                  onChange={(ev) =>
                    set('status', ev.target.checked ? [...form.status, s] : form.status.filter((x) => x !== s))
                  }
                />{' '}
                {s}
              </label>
            ))}
          </fieldset>
          <fieldset className="checks">
            <legend>Options</legend>
            <label className="check">
              <input type="checkbox" checked={form.starred} onChange={(ev) => set('starred', ev.target.checked)} />{' '}
              Starred only
            </label>
            <label className={`check${e.order_by_random ? ' has-error' : ''}`}>
              <input
                type="checkbox"
                checked={form.order_by_random}
                onChange={(ev) => set('order_by_random', ev.target.checked)}
              />{' '}
              Random sample
            </label>
            <label className={`check${e.transpose_metadata_columns ? ' has-error' : ''}`}>
              <input
                type="checkbox"
                checked={form.transpose_metadata_columns}
                onChange={(ev) => set('transpose_metadata_columns', ev.target.checked)}
              />{' '}
              Metadata keys as columns
            </label>
            {e.order_by_random ? <span className="field-error">{e.order_by_random}</span> : null}
            {e.transpose_metadata_columns ? <span className="field-error">{e.transpose_metadata_columns}</span> : null}
          </fieldset>
          <div className="list-grid">
            {kvEditor('Metadata (all of)', form.metadata_and, (v) => set('metadata_and', v), e.metadata_and)}
            {kvEditor('Metadata (any of)', form.metadata_or, (v) => set('metadata_or', v), e.metadata_or)}
            {templateEditor(
              'Prompt templates to include',
              form.prompt_templates_include,
              (v) => set('prompt_templates_include', v),
              e.prompt_templates_include,
            )}
            {templateEditor(
              'Prompt templates to exclude',
              form.prompt_templates_exclude,
              (v) => set('prompt_templates_exclude', v),
              e.prompt_templates_exclude,
            )}
            <ListEditor<ScoreFilter>
              legend="Scores"
              items={form.scores}
              error={e.scores}
              make={() => ({ name: '', operator: '>=', value: '' })}
              onChange={(v) => set('scores', v)}
              render={(s, setS, i) => (
                <>
                  <input
                    aria-label={`Score ${i + 1} name`}
                    placeholder="score name"
                    value={s.name}
                    onChange={(ev) => setS({ ...s, name: ev.target.value })}
                  />
                  <select
                    aria-label={`Score ${i + 1} operator`}
                    value={s.operator}
                    onChange={(ev) => setS({ ...s, operator: ev.target.value as ScoreFilter['operator'] })}
                  >
                    {SCORE_OPERATORS.map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </select>
                  <input
                    aria-label={`Score ${i + 1} value`}
                    placeholder="0–100"
                    inputMode="decimal"
                    value={s.value}
                    onChange={(ev) => setS({ ...s, value: ev.target.value })}
                  />
                </>
              )}
            />
          </div>
          <div className="form-actions">
            <button type="submit" disabled={hasErrors || creating || preview.kind === 'needs-key'}>
              {creating ? 'Creating…' : 'Create version'}
            </button>
            <button type="button" className="link-button" onClick={() => setForm(emptyFilterForm())}>
              Clear filters
            </button>
            {hasErrors ? <span className="field-error">Fix the fields marked above.</span> : null}
          </div>
          {createError ? <ErrorNote error={createError} /> : null}
          {needsKeyForCreate ? (
            <ApiKeyPrompt
              onReady={() => {
                setNeedsKeyForCreate(false);
                void create();
              }}
              onCancel={() => setNeedsKeyForCreate(false)}
            />
          ) : null}
        </form>
        <section className="panel preview" aria-labelledby="preview-title" aria-live="polite">
          <h2 id="preview-title">Matching logs</h2>
          {preview.kind === 'loading' || preview.kind === 'idle' ? <Loading what="Counting" /> : null}
          {preview.kind === 'needs-key' ? <ApiKeyPrompt onReady={() => setKeyEpoch((n) => n + 1)} /> : null}
          {preview.kind === 'error' ? <ErrorNote error={preview.error} /> : null}
          {preview.kind === 'ok' ? <PreviewTable preview={preview.preview} /> : null}
          <details className="request-body">
            <summary>Request body</summary>
            <pre>{JSON.stringify(body, null, 2)}</pre>
          </details>
        </section>
      </div>
    </>
  );
}

function PreviewTable({ preview }: { preview: Preview }) {
  return (
    <>
      <p className="preview-count">
        <strong data-testid="preview-count">{preview.count === null ? '?' : formatCount(preview.count)}</strong>{' '}
        matching log{preview.count === 1 ? '' : 's'}
      </p>
      {preview.warnings.length ? <div className="warning-inline">{preview.warnings.join('; ')}</div> : null}
      {preview.rows.length === 0 ? (
        <p className="muted">No sample to show.</p>
      ) : (
        <div className="table-wrap">
          <table className="table compact">
            <thead>
              <tr>
                {preview.columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r, i) => (
                <tr key={i}>
                  {preview.columns.map((c) => (
                    <td key={c} title={typeof r[c] === 'string' ? r[c] : undefined}>
                      {previewCell(r[c], 80)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
