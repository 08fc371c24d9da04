// Request logs: a filtered, paged table (POST /requests/search) whose filters and page live in the URL, with previews,
// scores, stars and filter-value suggestions; and the detail view of one log (chat, template, variables, add to dataset).
import { useEffect, useState } from 'react';
import { ApiError, call } from '../lib/api';
import { chatOf } from '../lib/chat';
import { formatCount, formatDate } from '../lib/format';
import {
  SUGGESTION_FIELD_OF,
  activeFilterCount,
  buildSearchBody,
  emptyLogFilters,
  logFiltersFromQuery,
  logQueryOf,
  messagesOf,
  previewText,
  scoresOf,
  summariseLog,
  timeOf,
  type SuggestionField,
  type LogFilters,
} from '../lib/request-logs';
import { navigate, replaceQuery } from '../lib/router';
import { keys, useApiQuery, useInvalidate, versionChanged } from '../lib/queries';
import { ChatMessages } from '../components/chat-messages';
import { Empty, ErrorNote, Link, Loading, PageHeader, StatusBadge, errorMessage } from '../components/common';
import { handler } from '../lib/event-handler';

const PER_PAGE = 25;

/** An output that is only tool calls, as "ƒ name(args)" (its text preview would be empty). */
function toolCallPreview(output: unknown): string {
  const calls = (chatOf(output) ?? []).flatMap((m) => m.toolCalls);
  return previewText(calls.map((c) => `ƒ ${c.name}(${c.args.replace(/\s+/g, ' ')})`).join(' '), 60);
}

/** Existing values for a filter input (debounced); [] when the server has no suggestions API. */
function useSuggestions(
  field: SuggestionField | undefined,
  prefix: string,
  metadataKey: string,
): { values: string[]; loaded: boolean } {
  // `for` is the prefix the values answer, so a stale answer never judges newer text.
  const [state, setState] = useState<{ values: string[]; for: string | null }>({ values: [], for: null });
  useEffect(() => {
    if (!field || (field === 'metadata_values' && !metadataKey.trim())) {
      setState({ values: [], for: null });
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      call('GET', '/api/public/v2/requests/suggestions', {
        query: {
          field,
          prefix: prefix.trim(),
          metadata_key: field === 'metadata_values' ? metadataKey.trim() : undefined,
          limit: 20,
        },
        signal: ctl.signal,
      })
        .then((r) => setState({ values: r.values, for: `${field}\u0000${metadataKey}\u0000${prefix}` }))
        .catch(() => !ctl.signal.aborted && setState({ values: [], for: null }));
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [field, prefix, metadataKey]);
  return { values: state.values, loaded: state.for === `${field}\u0000${metadataKey}\u0000${prefix}` };
}

/** A filter input offering the values that exist, and saying so when what is typed matches none (a typo). */
function SuggestInput({
  name,
  label,
  value,
  onChange,
  metadataKey = '',
}: {
  name: keyof LogFilters;
  label: string;
  value: string;
  onChange: (v: string) => void;
  metadataKey?: string;
}) {
  const field = SUGGESTION_FIELD_OF[name];
  const { values, loaded } = useSuggestions(field, value, metadataKey);
  const listId = `suggest-${name}`;
  const unknown = loaded && value.trim() !== '' && !values.some((v) => v.toLowerCase() === value.trim().toLowerCase());
  return (
    <div className="suggest-field">
      <label>
        {label}
        <input
          list={listId}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          aria-describedby={unknown ? `${listId}-note` : undefined}
        />
      </label>
      <datalist id={listId}>
        {values.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
      {unknown ? (
        <span id={`${listId}-note`} className="field-warning" role="status">
          {values.length
            ? `No log has exactly “${value.trim()}”; did you mean ${values
                .slice(0, 3)
                .map((v) => `“${v}”`)
                .join(', ')}?`
            : `No log has “${value.trim()}”.`}
        </span>
      ) : null}
    </div>
  );
}

/** The star toggle of one log (POST / DELETE /requests/{id}/star). */
function StarButton({
  id,
  starred,
  onChange,
}: {
  id: number;
  starred: boolean;
  onChange?: (starred: boolean) => void;
}) {
  const [on, setOn] = useState(starred);
  const invalidate = useInvalidate();
  const [busy, setBusy] = useState(false);
  useEffect(() => setOn(starred), [starred]);
  return (
    <button
      type="button"
      className={`star-button${on ? ' on' : ''}`}
      aria-pressed={on}
      aria-label={`Star request ${String(id)}`}
      title={on ? 'Starred (click to unstar)' : 'Star this log'}
      disabled={busy}
      onClick={handler(async (e) => {
        e.stopPropagation();
        setBusy(true);
        try {
          const res = await call(on ? 'DELETE' : 'POST', '/api/public/v2/requests/{id}/star', { path: { id } });
          setOn(res.request.is_starred);
          onChange?.(res.request.is_starred);
          // The detail refetches; a list on screen keeps its rows (a starred-only list does not lose the row at once).
          void invalidate(keys.request(id));
        } catch (err) {
          window.alert(`Could not change the star: ${errorMessage(err)}`);
        } finally {
          setBusy(false);
        }
      })}
      onKeyDown={(e) => e.stopPropagation()}
    >
      {on ? '★' : '☆'}
    </button>
  );
}

export function RequestLogsPage() {
  const [initial] = useState(() => logFiltersFromQuery(window.location.search));
  const [draft, setDraft] = useState<LogFilters>(initial.filters);
  const [filters, setFilters] = useState<LogFilters>(initial.filters);
  const [page, setPage] = useState(initial.page);
  const [filtersOpen, setFiltersOpen] = useState(false);
  // Filters and page are written into this history entry, so Back from a log's detail finds them again.
  useEffect(() => replaceQuery(logQueryOf(filters, page)), [filters, page]);
  const result = useApiQuery([...keys.requests, 'search', filters, page], (signal) =>
    call('POST', '/api/public/v2/requests/search', { body: buildSearchBody(filters, page, PER_PAGE), signal }),
  );
  const set = (k: keyof LogFilters, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const text = (k: keyof LogFilters, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={draft[k]} onChange={(e) => set(k, e.target.value)} />
    </label>
  );
  const suggest = (k: keyof LogFilters, label: string) => (
    <SuggestInput name={k} label={label} value={draft[k]} onChange={(v) => set(k, v)} metadataKey={draft.metadataKey} />
  );
  const active = activeFilterCount(filters);

  return (
    <>
      <PageHeader title="Request logs" subtitle="LLM requests logged through the PromptLayer-compatible API." />
      <button
        type="button"
        className="secondary filter-toggle"
        aria-expanded={filtersOpen}
        aria-controls="log-filters"
        onClick={() => setFiltersOpen((o) => !o)}
      >
        {filtersOpen ? 'Hide filters' : 'Filters'}
        {active ? ` (${active} active)` : ''}
      </button>
      <form
        id="log-filters"
        className={`panel filter-bar${filtersOpen ? ' open' : ''}`}
        aria-label="Filter request logs"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilters(draft);
          setFiltersOpen(false);
        }}
      >
        {text('q', 'Search text', 'search')}
        <label>
          Status
          <select value={draft.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            <option>SUCCESS</option>
            <option>WARNING</option>
            <option>ERROR</option>
          </select>
        </label>
        {suggest('model', 'Model')}
        {suggest('provider', 'Provider')}
        {suggest('tag', 'Tag')}
        {suggest('promptName', 'Prompt template')}
        {text('after', 'After (UTC)', 'datetime-local')}
        {text('before', 'Before (UTC)', 'datetime-local')}
        {suggest('metadataKey', 'Metadata key')}
        {suggest('metadataValue', 'Metadata value')}
        <div className="form-actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setDraft(emptyLogFilters());
              setFilters(emptyLogFilters());
              setPage(1);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {result.loading ? <Loading what="Searching request logs" /> : null}
      {result.error ? <ErrorNote error={result.error} onRetry={result.reload} /> : null}
      {result.data && result.data.items.length === 0 ? (
        <Empty title="No request logs match.">
          Send logs with the PromptLayer SDK pointed at this server, or change the filters.
        </Empty>
      ) : null}
      {result.data && result.data.items.length > 0 ? (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Request logs table">
            <table className="table clickable logs-table">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>
                    <span className="visually-hidden">Starred</span>
                  </th>
                  <th>Time</th>
                  <th>Model</th>
                  <th>Status</th>
                  <th>Input</th>
                  <th>Output</th>
                  <th>Scores</th>
                  <th className="num">Latency</th>
                  <th className="num">Tokens in / out</th>
                  <th className="num">Price</th>
                  <th>Prompt</th>
                  <th>Tags</th>
                </tr>
              </thead>
              <tbody>
                {result.data.items.map((raw) => {
                  const l = summariseLog(raw);
                  const scores = scoresOf(raw);
                  const version = typeof raw.prompt_version_number === 'number' ? ` v${raw.prompt_version_number}` : '';
                  return (
                    <tr
                      key={String(l.id)}
                      tabIndex={0}
                      onClick={() => navigate(`/requests/${l.id}`)}
                      onKeyDown={(e) => e.key === 'Enter' && navigate(`/requests/${l.id}`)}
                    >
                      <td>
                        <Link to={`/requests/${l.id}`}>{String(l.id)}</Link>
                      </td>
                      <td>
                        <StarButton id={l.id} starred={raw.is_starred === true} />
                      </td>
                      <td>{formatDate(l.time)}</td>
                      <td>
                        {l.model}
                        {l.provider ? <span className="muted"> · {l.provider}</span> : null}
                      </td>
                      <td>{l.status ? <StatusBadge status={l.status.toLowerCase()} /> : '—'}</td>
                      <td
                        className="preview-cell"
                        title={typeof raw.input_text === 'string' ? raw.input_text : undefined}
                      >
                        {previewText(
                          raw.input_text ??
                            messagesOf(raw.input)
                              .map((m) => m.text)
                              .join(' '),
                          60,
                        ) || '—'}
                      </td>
                      <td
                        className="preview-cell"
                        title={typeof raw.output_text === 'string' ? raw.output_text : undefined}
                      >
                        {previewText(
                          raw.output_text ??
                            messagesOf(raw.output)
                              .map((m) => m.text)
                              .join(' '),
                          60,
                        ) ||
                          toolCallPreview(raw.output) ||
                          '—'}
                      </td>
                      <td className="scores-cell">
                        {scores.length ? scores.map(([k, v]) => `${k} ${v}`).join(', ') : '—'}
                      </td>
                      <td className="num">
                        {l.latencyMs === null ? '—' : `${formatCount(Math.round(l.latencyMs))} ms`}
                      </td>
                      <td className="num">
                        {formatCount(l.inputTokens)} / {formatCount(l.outputTokens)}
                      </td>
                      <td className="num">{l.price === null ? '—' : `$${l.price.toFixed(5)}`}</td>
                      <td>{l.promptName ? `${l.promptName}${version}` : '—'}</td>
                      <td>{l.tags.join(', ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
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
              Page {result.data.page} of {Math.max(1, result.data.pages)} · {formatCount(result.data.total)} logs
            </span>
            <button
              type="button"
              className="secondary small"
              disabled={page >= result.data.pages}
              onClick={() => setPage((p) => p + 1)}
            >
              Next →
            </button>
          </div>
        </>
      ) : null}
    </>
  );
}

function KeyValues({ title, data }: { title: string; data: unknown }) {
  const entries =
    data && typeof data === 'object' && !Array.isArray(data) ? Object.entries(data as Record<string, unknown>) : [];
  return (
    <section className="panel">
      <h2>{title}</h2>
      {entries.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <dl className="kv">
          {entries.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** Input or output: chat bubbles when it is a chat, else the blueprint's text. */
function Blueprint({ title, value }: { title: string; value: unknown }) {
  const chat = chatOf(value);
  return (
    <section className="panel">
      <h2>{title}</h2>
      {chat ? (
        <ChatMessages messages={chat} label={`${title} messages`} />
      ) : (
        messagesOf(value).map((m, i) => (
          <div key={i} className="message">
            <div className="message-role">{m.role}</div>
            <pre>{m.text}</pre>
          </div>
        ))
      )}
    </section>
  );
}

/** "Add to dataset": append this log to a group's draft (creating the draft when the group has none). */
function AddToDataset({ logId }: { logId: number }) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [groupId, setGroupId] = useState<number | ''>('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ draftId: number; group: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const invalidate = useInvalidate();
  const groups = useApiQuery(
    [...keys.groups, { name: search.trim(), per_page: 50 }],
    (signal) => call('GET', '/api/public/v2/dataset-groups', { query: { name: search.trim(), per_page: 50 }, signal }),
    { enabled: open },
  );
  const list = groups.data?.dataset_groups ?? [];

  const add = async () => {
    if (groupId === '') return;
    setBusy(true);
    setError(null);
    const body = { dataset_group_id: groupId, request_log_id: logId };
    try {
      const addLog = () => call('POST', '/api/public/v2/dataset-versions/add-request-log', { body });
      let res: Awaited<ReturnType<typeof addLog>>;
      try {
        res = await addLog();
      } catch (e) {
        // The group has no draft yet: create an empty one, then add again.
        if (!(e instanceof ApiError && e.status === 404 && /draft/i.test(e.message))) throw e;
        await call('POST', '/api/public/v2/dataset-versions/create-draft', { body: { dataset_group_id: groupId } });
        res = await addLog();
      }
      void invalidate(...versionChanged(groupId, res.draft_dataset_id));
      setDone({ draftId: res.draft_dataset_id, group: list.find((g) => g.id === groupId)?.name ?? `group ${groupId}` });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        Add to dataset
      </button>
    );
  return (
    <form
      className="panel add-to-dataset"
      aria-label="Add to dataset"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <h2>Add this log to a dataset</h2>
      <p className="muted">
        The log becomes a row of the group’s draft (its input variables and output as columns); save the draft as a
        version on the group page.
      </p>
      <div className="inline-form">
        <label className="grow">
          Find a group
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name…" />
        </label>
        <label className="grow">
          Dataset group
          <select value={groupId} onChange={(e) => setGroupId(e.target.value ? Number(e.target.value) : '')}>
            <option value="">Choose…</option>
            {list.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || groupId === ''}>
          {busy ? 'Adding…' : 'Add'}
        </button>
        <button type="button" className="link-button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {groups.error ? <ErrorNote error={groups.error} /> : null}
      {error ? <ErrorNote error={error} /> : null}
      {done ? (
        <div className="notice" role="status">
          Added to the draft of {done.group}. <Link to={`/datasets/versions/${done.draftId}`}>Open the draft</Link>
        </div>
      ) : null}
    </form>
  );
}

export function RequestLogDetailPage({ id }: { id: number }) {
  const res = useApiQuery(keys.request(id), (signal) =>
    call('GET', '/api/public/v2/requests/{id}', { path: { id }, signal }),
  );
  if (res.loading) return <Loading what="Loading request log" />;
  if (!res.data) return <ErrorNote error={res.error} onRetry={res.reload} />;
  // PromptLayer's documented fields, with Strata's whole log as `request`.
  const body = res.data;
  const log = body.request;
  const s = summariseLog(log);
  const { input, output } = log;
  const scores = Object.fromEntries(scoresOf(log));
  const template = s.promptName
    ? {
        name: s.promptName,
        version:
          typeof log.prompt_version_number === 'number' ? `v${log.prompt_version_number}` : 'latest at logging time',
        id: log.prompt_id ?? '—',
      }
    : null;
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Request logs', to: '/requests' }]}
        title={`Request ${String(s.id)}`}
        subtitle={`${s.model}${s.provider ? ` · ${s.provider}` : ''} · ${formatDate(timeOf(log.request_start_time))}${s.latencyMs !== null ? ` · ${formatCount(Math.round(s.latencyMs))} ms` : ''}`}
        actions={
          <>
            {s.status ? <StatusBadge status={s.status.toLowerCase()} /> : null}
            <StarButton id={s.id} starred={log.is_starred === true} />
            <AddToDataset logId={id} />
          </>
        }
      />
      {log.error_message || log.error_type ? (
        <div className="error" role="alert">
          {String(log.error_type ?? 'Error')}: {String(log.error_message ?? '')}
        </div>
      ) : null}
      <div className="two-col">
        <Blueprint title="Input" value={input} />
        <Blueprint title="Output" value={output} />
      </div>
      <div className="two-col">
        <section className="panel">
          <h2>Prompt template</h2>
          {template ? (
            <dl className="kv">
              <div>
                <dt>template</dt>
                <dd>{template.name}</dd>
              </div>
              <div>
                <dt>version</dt>
                <dd>{template.version}</dd>
              </div>
              <div>
                <dt>template id</dt>
                <dd>{String(template.id)}</dd>
              </div>
            </dl>
          ) : (
            <p className="muted">Not linked to a prompt template.</p>
          )}
        </section>
        <KeyValues title="Input variables" data={log.prompt_input_variables} />
      </div>
      <div className="two-col">
        <KeyValues title="Metadata" data={log.metadata} />
        <KeyValues title="Scores" data={scores} />
      </div>
      <div className="two-col">
        <KeyValues
          title="Usage"
          data={{
            input_tokens: s.inputTokens,
            output_tokens: s.outputTokens,
            price: s.price,
            tags: s.tags.join(', ') || '—',
          }}
        />
        <KeyValues title="Parameters" data={log.parameters} />
      </div>
      <details className="panel">
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify(body, null, 2)}</pre>
      </details>
    </>
  );
}
