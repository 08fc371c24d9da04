// Settings: API keys (create — shown once — and revoke), webhook endpoints with their deliveries, and workspace users.
import { useState } from 'react';
import { call } from '../lib/api';
import { pathsApiPublicV2WebhooksPostRequestBodyContentApplicationJsonEventsValues as EVENT_VALUES } from '../lib/api-types.gen';
import { formatDate } from '../lib/format';
import { session } from '../lib/session';
import { keys, useApiQuery, useInvalidate } from '../lib/queries';
import { Empty, ErrorNote, Link, Loading, PageHeader, StatusBadge, errorMessage } from '../components/common';
import { handler } from '../lib/event-handler';

type Tab = 'api-keys' | 'webhooks' | 'users';

/** The event types an endpoint may subscribe to (the server's enum, generated from /openapi.json). */
export const WEBHOOK_EVENTS = EVENT_VALUES;
type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

function OneTimeSecret({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="panel secret-once" role="status">
      <strong>{label}</strong>
      <p className="muted">Copy it now: it is shown only once.</p>
      <div className="inline-form">
        <code className="secret" data-testid="one-time-secret">
          {value}
        </code>
        <button
          type="button"
          className="secondary small"
          onClick={handler(async () => {
            await navigator.clipboard?.writeText(value).catch(() => undefined);
            setCopied(true);
          })}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="small" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function ApiKeys() {
  const apiKeys = useApiQuery(keys.apiKeys, (signal) => call('GET', '/api/public/v2/api-keys', { signal }));
  const invalidate = useInvalidate();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sessionKeyPrefix = session.apiKey()?.slice(0, 12);

  return (
    <>
      <form
        className="inline-form panel"
        aria-label="Create an API key"
        onSubmit={handler(async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const res = await call('POST', '/api/public/v2/api-keys', {
              body: { name: name.trim() || 'api key' },
            });
            setCreated(res.key);
            setName('');
            void invalidate(keys.apiKeys);
          } catch (err) {
            setError(errorMessage(err));
          }
        })}
      >
        <label className="grow">
          New API key name
          <input
            name="api-key-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. production logging"
            maxLength={200}
          />
        </label>
        <button type="submit">Create API key</button>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
      </form>
      {created ? <OneTimeSecret label="Your new API key" value={created} onDone={() => setCreated(null)} /> : null}
      {apiKeys.loading ? <Loading what="Loading API keys" /> : null}
      {apiKeys.error ? <ErrorNote error={apiKeys.error} onRetry={apiKeys.reload} /> : null}
      {apiKeys.data && apiKeys.data.api_keys.length === 0 ? <Empty title="No API keys yet." /> : null}
      {apiKeys.data && apiKeys.data.api_keys.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {apiKeys.data.api_keys.map((k) => (
                <tr key={k.id}>
                  <td>
                    {k.name}
                    {sessionKeyPrefix && sessionKeyPrefix.startsWith(k.prefix.slice(0, 12)) ? (
                      <span className="muted"> (this browser session)</span>
                    ) : null}
                  </td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{formatDate(k.created_at)}</td>
                  <td>{formatDate(k.last_used_at)}</td>
                  <td>{k.revoked ? <StatusBadge status="revoked" /> : <StatusBadge status="active" />}</td>
                  <td>
                    {!k.revoked ? (
                      <button
                        type="button"
                        className="danger small"
                        aria-label={`Revoke ${k.name}`}
                        onClick={handler(async () => {
                          if (!window.confirm(`Revoke the API key “${k.name}”? Clients using it will stop working.`))
                            return;
                          try {
                            await call('DELETE', '/api/public/v2/api-keys/{id}', { path: { id: k.id } });
                            void invalidate(keys.apiKeys);
                          } catch (err) {
                            setError(errorMessage(err));
                          }
                        })}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

const str = (v: string | number | null) => (v === null ? '—' : String(v));

function Deliveries({ webhookId }: { webhookId: number }) {
  const res = useApiQuery([...keys.webhooks, webhookId, 'deliveries'], (signal) =>
    call('GET', '/api/public/v2/webhooks/{id}/deliveries', { path: { id: webhookId }, signal }),
  );
  if (res.loading) return <Loading what="Loading deliveries" />;
  if (!res.data) return <ErrorNote error={res.error} onRetry={res.reload} />;
  const list = res.data.deliveries;
  if (list.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table compact">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th className="num">Last HTTP</th>
            <th>Last error</th>
            <th>Created</th>
            <th>Next / delivered</th>
          </tr>
        </thead>
        <tbody>
          {list.map((d) => (
            <tr key={d.id}>
              <td>{d.event_type}</td>
              <td>
                <StatusBadge status={d.status} />
              </td>
              <td className="num">{d.attempts}</td>
              <td className="num">{str(d.last_status_code)}</td>
              <td>{str(d.last_error)}</td>
              <td>{formatDate(d.created_at)}</td>
              <td>{formatDate(d.delivered_at ?? d.next_attempt_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Webhooks() {
  const hooks = useApiQuery(keys.webhooks, (signal) => call('GET', '/api/public/v2/webhooks', { signal }));
  const invalidate = useInvalidate();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  if (hooks.error && !hooks.data) return <ErrorNote error={hooks.error} onRetry={hooks.reload} />;
  const list = hooks.data?.webhooks ?? [];
  // The server lists the events it sends (`event_types`, the same names as the subscription enum).
  const served = new Set(hooks.data?.event_types ?? WEBHOOK_EVENTS);
  const eventTypes = WEBHOOK_EVENTS.filter((ev) => served.has(ev));
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      void invalidate(keys.webhooks);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <>
      <form
        className="panel webhook-form"
        aria-label="Add a webhook endpoint"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const res = await call('POST', '/api/public/v2/webhooks', {
              body: {
                url: url.trim(),
                ...(events.length ? { events } : {}),
                ...(description.trim() ? { description: description.trim() } : {}),
              },
            });
            setSecret(res.secret);
            setUrl('');
            setDescription('');
            setEvents([]);
          });
        }}
      >
        <div className="inline-form">
          <label className="grow">
            Endpoint URL
            <input
              type="url"
              required
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://example.com/strata-webhook"
            />
          </label>
          <label className="grow">
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
        </div>
        <fieldset className="checks">
          <legend>Events (none checked = all events)</legend>
          {eventTypes.map((ev) => (
            <label key={ev} className="check">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))}
              />{' '}
              {ev}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={!url.trim()}>
          Add endpoint
        </button>
      </form>
      {error ? (
        <div className="error" role="alert">
          {error}
        </div>
      ) : null}
      {secret ? (
        <OneTimeSecret label="Signing secret of the new endpoint" value={secret} onDone={() => setSecret(null)} />
      ) : null}
      {hooks.loading ? <Loading what="Loading webhooks" /> : null}
      {hooks.data && list.length === 0 ? (
        <Empty title="No webhook endpoints.">Add one above to be told when versions are created or fail.</Empty>
      ) : null}
      {list.map((h) => {
        const enabled = h.enabled;
        return (
          <section key={h.id} className="panel webhook">
            <div className="page-title-row">
              <div>
                <strong>{h.url}</strong>{' '}
                {enabled ? <StatusBadge status="enabled" /> : <StatusBadge status="disabled" />}
                <div className="muted">
                  {h.events.length ? h.events.join(', ') : 'all events'}
                  {h.description ? ` · ${h.description}` : ''}
                  {h.disabled_reason ? ` · ${h.disabled_reason}` : ''}
                </div>
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="secondary small"
                  onClick={() => setOpen(open === h.id ? null : h.id)}
                  aria-expanded={open === h.id}
                >
                  {open === h.id ? 'Hide deliveries' : 'Deliveries'}
                </button>
                <button
                  type="button"
                  className="secondary small"
                  onClick={() =>
                    void act(() =>
                      call('PATCH', '/api/public/v2/webhooks/{id}', {
                        path: { id: h.id },
                        body: { enabled: !enabled },
                      }),
                    )
                  }
                >
                  {enabled ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  className="danger small"
                  onClick={() =>
                    window.confirm(`Delete the webhook endpoint ${h.url}?`) &&
                    void act(() => call('DELETE', '/api/public/v2/webhooks/{id}', { path: { id: h.id } }))
                  }
                >
                  Delete
                </button>
              </div>
            </div>
            {open === h.id ? <Deliveries webhookId={h.id} /> : null}
          </section>
        );
      })}
    </>
  );
}

function Users() {
  const users = useApiQuery(keys.users, (signal) => call('GET', '/api/public/v2/users', { signal }));
  if (users.loading) return <Loading what="Loading users" />;
  if (!users.data) return <ErrorNote error={users.error} onRetry={users.reload} />;
  return (
    <>
      <p className="muted">
        Members of this workspace. Add users on the server with <code>strata users create</code>.
      </p>
      {users.data.users.length === 0 ? (
        <Empty title="No users in this workspace." />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.role}</td>
                  <td>{formatDate(u.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const TABS: Array<{ tab: Tab; label: string }> = [
  { tab: 'api-keys', label: 'API keys' },
  { tab: 'webhooks', label: 'Webhooks' },
  { tab: 'users', label: 'Users' },
];

export function SettingsPage({ tab }: { tab: Tab }) {
  return (
    <>
      <PageHeader title="Settings" />
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            to={`/settings/${t.tab}`}
            className={t.tab === tab ? 'active' : undefined}
            aria-current={t.tab === tab ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'api-keys' ? <ApiKeys /> : tab === 'webhooks' ? <Webhooks /> : <Users />}
    </>
  );
}
