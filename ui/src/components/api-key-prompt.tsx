// Asks for an API key when a route accepts API keys only (from-file, from-filter-params): paste one, or create one for this browser session.
import { useState } from 'react';
import { call } from '../lib/api';
import { keys, useInvalidate } from '../lib/queries';
import { session } from '../lib/session';
import { errorMessage } from './common';

export function ApiKeyPrompt({ onReady, onCancel }: { onReady: () => void; onCancel?: () => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const invalidate = useInvalidate();

  const createSessionKey = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await call('POST', '/api/public/v2/api-keys', {
        body: { name: `web UI session ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` },
      });
      session.setApiKey(res.key);
      session.setMintedKeyId(res.api_key.id);
      void invalidate(keys.apiKeys);
      onReady();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel api-key-prompt" role="dialog" aria-labelledby="api-key-prompt-title">
      <h3 id="api-key-prompt-title">This action needs an API key</h3>
      <p className="muted">
        The server accepts only API keys (not your sign-in) for this endpoint, as PromptLayer does. Paste a key of this
        workspace, or create one for this browser session. It is kept in this browser until you sign out; a key created
        here is revoked then.
      </p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          session.setApiKey(key.trim());
          onReady();
        }}
      >
        <label>
          API key
          <input
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="sk_…"
          />
        </label>
        <button type="submit" disabled={!key.trim()}>
          Use this key
        </button>
        <span className="muted">or</span>
        <button type="button" className="secondary" disabled={busy} onClick={() => void createSessionKey()}>
          Create a key for this session
        </button>
        {onCancel ? (
          <button type="button" className="link-button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </form>
      {error ? (
        <div className="error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
