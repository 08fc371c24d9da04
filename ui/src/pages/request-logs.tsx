// Request logs: a filtered, paged table (POST /requests/search) and a detail view of one log (GET /requests/{id}).
import { useState } from 'react';
import { api } from '../lib/api';
import { formatCount, formatDate } from '../lib/format';
import { buildSearchBody, emptyLogFilters, messagesOf, summariseLog, timeOf, type LogFilters } from '../lib/request-logs';
import { navigate } from '../lib/router';
import { useApi } from '../lib/use-api';
import { Empty, ErrorNote, Link, Loading, PageHeader, StatusBadge } from '../components/common';

const PER_PAGE = 25;

interface SearchResult {
  items: unknown[];
  page: number;
  pages: number;
  total: number;
  has_next?: boolean;
  has_prev?: boolean;
}

export function RequestLogsPage() {
  const [draft, setDraft] = useState<LogFilters>(emptyLogFilters);
  const [filters, setFilters] = useState<LogFilters>(emptyLogFilters);
  const [page, setPage] = useState(1);
  const result = useApi((signal) => api<SearchResult>('POST', '/api/public/v2/requests/search', { body: buildSearchBody(filters, page, PER_PAGE), signal }), [JSON.stringify(filters), page]);
  const set = (k: keyof LogFilters, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const text = (k: keyof LogFilters, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={draft[k]} onChange={(e) => set(k, e.target.value)} />
    </label>
  );

  return (
    <>
      <PageHeader title="Request logs" subtitle="LLM requests logged through the PromptLayer-compatible API." />
      <form
        className="panel filter-bar"
        aria-label="Filter request logs"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilters(draft);
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
        {text('model', 'Model')}
        {text('provider', 'Provider')}
        {text('tag', 'Tag')}
        {text('promptName', 'Prompt template')}
        {text('after', 'After (UTC)', 'datetime-local')}
        {text('before', 'Before (UTC)', 'datetime-local')}
        {text('metadataKey', 'Metadata key')}
        {text('metadataValue', 'Metadata value')}
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
      {result.data && result.data.items.length === 0 ? <Empty title="No request logs match.">Send logs with the PromptLayer SDK pointed at this server, or change the filters.</Empty> : null}
      {result.data && result.data.items.length > 0 ? (
        <>
          <div className="table-wrap">
            <table className="table clickable">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Time</th>
                  <th>Model</th>
                  <th>Status</th>
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
                  return (
                    <tr key={String(l.id)} tabIndex={0} onClick={() => navigate(`/requests/${l.id}`)} onKeyDown={(e) => e.key === 'Enter' && navigate(`/requests/${l.id}`)}>
                      <td>
                        <Link to={`/requests/${l.id}`}>{String(l.id)}</Link>
                      </td>
                      <td>{formatDate(l.time)}</td>
                      <td>
                        {l.model}
                        {l.provider ? <span className="muted"> · {l.provider}</span> : null}
                      </td>
                      <td>{l.status ? <StatusBadge status={l.status.toLowerCase()} /> : '—'}</td>
                      <td className="num">{l.latencyMs === null ? '—' : `${formatCount(Math.round(l.latencyMs))} ms`}</td>
                      <td className="num">
                        {formatCount(l.inputTokens)} / {formatCount(l.outputTokens)}
                      </td>
                      <td className="num">{l.price === null ? '—' : `$${l.price.toFixed(5)}`}</td>
                      <td>{l.promptName ?? '—'}</td>
                      <td>{l.tags.join(', ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <button type="button" className="secondary small" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              ← Previous
            </button>
            <span className="muted">
              Page {result.data.page} of {Math.max(1, result.data.pages)} · {formatCount(result.data.total)} logs
            </span>
            <button type="button" className="secondary small" disabled={page >= result.data.pages} onClick={() => setPage((p) => p + 1)}>
              Next →
            </button>
          </div>
        </>
      ) : null}
    </>
  );
}

function KeyValues({ title, data }: { title: string; data: unknown }) {
  const entries = data && typeof data === 'object' && !Array.isArray(data) ? Object.entries(data as Record<string, unknown>) : [];
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

export function RequestLogDetailPage({ id }: { id: number }) {
  const res = useApi((signal) => api<Record<string, unknown>>('GET', `/api/public/v2/requests/${id}`, { signal }), [id]);
  if (res.loading) return <Loading what="Loading request log" />;
  if (!res.data) return <ErrorNote error={res.error} onRetry={res.reload} />;
  // The log may be the body itself or wrapped ({request} / {request_log} / {item}).
  const body = res.data;
  const log = (body.request_log ?? body.request ?? body.item ?? body) as Record<string, unknown>;
  const s = summariseLog(log);
  const input = log.input ?? (log.prompt_blueprint as Record<string, unknown> | undefined)?.prompt_template ?? (log.request_response as Record<string, unknown> | undefined)?.input;
  const output = log.output ?? (log.request_response as Record<string, unknown> | undefined)?.output;
  const scores = log.scores ?? (typeof log.score === 'number' ? { [String(log.score_name ?? 'default')]: log.score } : undefined);
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Request logs', to: '/requests' }]}
        title={`Request ${String(s.id)}`}
        subtitle={`${s.model}${s.provider ? ` · ${s.provider}` : ''} · ${formatDate(timeOf(log.request_start_time))}${s.latencyMs !== null ? ` · ${formatCount(Math.round(s.latencyMs))} ms` : ''}`}
        actions={s.status ? <StatusBadge status={s.status.toLowerCase()} /> : undefined}
      />
      {log.error_message || log.error_type ? (
        <div className="error" role="alert">
          {String(log.error_type ?? 'Error')}: {String(log.error_message ?? '')}
        </div>
      ) : null}
      <div className="two-col">
        <section className="panel">
          <h2>Input</h2>
          {messagesOf(input).map((m, i) => (
            <div key={i} className="message">
              <div className="message-role">{m.role}</div>
              <pre>{m.text}</pre>
            </div>
          ))}
        </section>
        <section className="panel">
          <h2>Output</h2>
          {messagesOf(output).map((m, i) => (
            <div key={i} className="message">
              <div className="message-role">{m.role}</div>
              <pre>{m.text}</pre>
            </div>
          ))}
        </section>
      </div>
      <div className="two-col">
        <KeyValues title="Metadata" data={log.metadata} />
        <KeyValues title="Scores" data={scores} />
      </div>
      <div className="two-col">
        <KeyValues
          title="Usage"
          data={{ input_tokens: s.inputTokens, output_tokens: s.outputTokens, price: s.price, tags: s.tags.join(', ') || '—', prompt: s.promptName ?? '—' }}
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
