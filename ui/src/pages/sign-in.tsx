// Sign in with an API key (the one `npm start` prints on first start) or with the email and password made by
// `strata users create`. The key or the JWT is kept in localStorage (shared by the tabs).
import { useState, type FormEvent } from 'react';
import { ApiError, call } from '../lib/api';
import { session } from '../lib/session';
import { errorMessage, useDocumentTitle } from '../components/common';

type Mode = 'api_key' | 'password';

export function SignInPage({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string | null }) {
  useDocumentTitle('Sign in');
  const [mode, setMode] = useState<Mode>('api_key');
  const [apiKey, setApiKey] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const attempt = async (e: FormEvent, signIn: () => Promise<void>, refused: string) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn();
      onSignedIn();
    } catch (err) {
      session.clear();
      setError(err instanceof ApiError && err.status === 401 ? refused : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // An API key signs in as its workspace: /api/auth/me checks it before the app opens.
  const withKey = () => async () => {
    session.clear();
    session.setApiKey(apiKey.trim());
    await call('GET', '/api/auth/me', { auth: 'api_key', checkingCredential: true });
  };
  const withPassword = () => async () => {
    const res = await call('POST', '/api/auth/login', {
      body: { email: email.trim(), password },
    });
    session.clear();
    session.setToken(res.access_token);
  };

  const errorBox = error ? (
    <div className="error" role="alert">
      {error}
    </div>
  ) : null;

  return (
    <div className="signin">
      <div className="panel signin-card">
        <h1 className="brand-big">Strata</h1>
        {notice ? (
          <div className="notice" role="status">
            {notice}
          </div>
        ) : null}
        <div className="segmented" role="tablist" aria-label="How to sign in">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'api_key'}
            className={mode === 'api_key' ? 'active' : undefined}
            onClick={() => setMode('api_key')}
          >
            API key
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'password'}
            className={mode === 'password' ? 'active' : undefined}
            onClick={() => setMode('password')}
          >
            Email and password
          </button>
        </div>
        {mode === 'api_key' ? (
          <form
            className="signin-form"
            onSubmit={(e) => void attempt(e, withKey(), 'That API key is not valid (or it was revoked).')}
          >
            <p className="muted">
              Paste the API key <code>npm start</code> printed when it created the workspace, or any key from{' '}
              <code>strata api-keys create</code>.
            </p>
            <label>
              API key
              <input
                type="password"
                name="api-key"
                autoComplete="off"
                required
                autoFocus
                value={apiKey}
                onChange={(e) => setApiKey(e.target.value)}
                placeholder="sk_strata_…"
              />
            </label>
            {errorBox}
            <button type="submit" disabled={busy || !apiKey.trim()}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        ) : (
          <form className="signin-form" onSubmit={(e) => void attempt(e, withPassword(), 'Wrong email or password.')}>
            <p className="muted">
              Sign in with the account made by <code>strata users create</code>.
            </p>
            <label>
              Email
              <input
                type="email"
                name="email"
                autoComplete="username"
                required
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            <label>
              Password
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            {errorBox}
            <button type="submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
