// Sign in with the email and password made by `strata users create`; the JWT is kept in sessionStorage.
import { useState } from 'react';
import { api } from '../lib/api';
import { session } from '../lib/session';
import { errorMessage } from '../components/common';

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  return (
    <div className="signin">
      <form
        className="panel signin-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const res = await api<{ access_token: string }>('POST', '/api/auth/login', { body: { email: email.trim(), password } });
            session.setToken(res.access_token);
            onSignedIn();
          } catch (err) {
            setError(errorMessage(err) === 'wrong email or password' ? 'Wrong email or password.' : errorMessage(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 className="brand-big">Strata</h1>
        <p className="muted">Sign in with the account made by <code>strata users create</code>.</p>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
