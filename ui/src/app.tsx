// The app shell: sign-in gate, top navigation with the workspace switcher, and the page for the current route.
import { useCallback, useEffect, useState } from 'react';
import { call, setSignedOutHandler } from './lib/api';
import { hrefOf, navigate, useRoute, type Route } from './lib/router';
import { isExpired, onSessionChange, session } from './lib/session';
import type { Me } from './lib/types';
import { ErrorNote, Link, Loading, useDocumentTitle } from './components/common';
import { SignInPage } from './pages/sign-in';
import { DatasetsPage } from './pages/datasets';
import { GroupPage } from './pages/group';
import { RowsPage } from './pages/rows';
import { BuildFromLogsPage } from './pages/build-from-logs';
import { ComparePage } from './pages/compare';
import { RequestLogsPage, RequestLogDetailPage } from './pages/request-logs';
import { SettingsPage } from './pages/settings';

function NotFound({ path }: { path: string }) {
  useDocumentTitle('Not found');
  return (
    <div className="state empty">
      <strong>No page at {path}</strong>
      <div>
        <Link to="/datasets">Go to datasets</Link>
      </div>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'datasets':
    case 'signin':
      return <DatasetsPage />;
    case 'group':
      return <GroupPage id={route.id} />;
    case 'rows':
      return <RowsPage id={route.id} />;
    case 'build':
      return <BuildFromLogsPage groupId={route.groupId} />;
    case 'compare':
      return <ComparePage groupId={route.groupId} a={route.a} b={route.b} />;
    case 'requests':
      return <RequestLogsPage />;
    case 'request':
      return <RequestLogDetailPage id={route.id} />;
    case 'settings':
      return <SettingsPage tab={route.tab} />;
    case 'notfound':
      return <NotFound path={route.path} />;
  }
}

const NAV: Array<{ label: string; to: string; match: Route['name'][] }> = [
  { label: 'Datasets', to: '/datasets', match: ['datasets', 'group', 'rows', 'build', 'compare'] },
  { label: 'Request logs', to: '/requests', match: ['requests', 'request'] },
  { label: 'Settings', to: '/settings/api-keys', match: ['settings'] },
];

export function App() {
  const route = useRoute();
  // Signed in with a JWT (email and password) or with an API key alone.
  // A JWT whose `exp` has passed (the tab was closed for a while) is dropped before any call, and the page says why.
  const [startNotice] = useState(() => {
    const token = session.token();
    if (token === null || !isExpired(token)) return session.signedOutNotice();
    session.setToken(null);
    return 'Your session has expired. Sign in again.';
  });
  const [signedIn, setSignedIn] = useState(() => session.token() !== null || session.apiKey() !== null);
  const [signInNotice, setSignInNotice] = useState<string | null>(startNotice);
  const [me, setMe] = useState<Me | null>(null);
  const [meError, setMeError] = useState<unknown>(null);
  // Changing workspace remounts the page so everything reloads with the new X-Workspace-Id.
  const [workspaceEpoch, setWorkspaceEpoch] = useState(0);

  const signOut = useCallback(() => {
    // A key this session minted for API-key-only routes ends with the session (best effort: sign-out never waits).
    const minted = session.mintedKeyId();
    if (minted !== null)
      void call('DELETE', '/api/public/v2/api-keys/{id}', { path: { id: minted } }).catch(() => undefined);
    session.clear();
    setMe(null);
    setSignedIn(false);
  }, []);

  useEffect(
    () =>
      setSignedOutHandler((notice) => {
        session.setSignedOutNotice(notice);
        setSignInNotice(notice);
        setMe(null);
        setSignedIn(false);
      }),
    [],
  );

  // The session is shared by the tabs: signing out (or in) in one tab does the same in the others.
  useEffect(
    () =>
      onSessionChange(() => {
        const now = session.token() !== null || session.apiKey() !== null;
        setSignedIn((was) => {
          if (was && !now) setSignInNotice('You were signed out (in another tab).');
          if (!was && now) setSignInNotice(null);
          return now;
        });
        if (!now) setMe(null);
      }),
    [],
  );

  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    setMeError(null);
    call('GET', '/api/auth/me')
      .then((m) => {
        if (!live) return;
        setMe(m);
        if (session.workspaceId() === null) session.setWorkspaceId(m.workspace_id);
      })
      .catch((e: unknown) => live && setMeError(e));
    return () => {
      live = false;
    };
  }, [signedIn]);

  useEffect(() => {
    if (signedIn && route.name === 'signin') navigate('/datasets', { replace: true });
  }, [signedIn, route.name]);

  if (!signedIn) {
    return (
      <SignInPage
        notice={signInNotice}
        onSignedIn={() => {
          session.setSignedOutNotice(null);
          setSignInNotice(null);
          setSignedIn(true);
          if (route.name === 'signin') navigate('/datasets', { replace: true });
        }}
      />
    );
  }

  const workspaceId = session.workspaceId() ?? me?.workspace_id;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/datasets" className="brand">
          Strata
        </Link>
        <nav className="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link
              key={n.to}
              to={n.to}
              className={n.match.includes(route.name) ? 'active' : undefined}
              aria-current={n.match.includes(route.name) ? 'page' : undefined}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        {me && me.workspaces.length > 0 ? (
          <label className="workspace-switcher">
            <span className="muted">Workspace</span>
            <select
              value={workspaceId ?? ''}
              onChange={(e) => {
                session.setWorkspaceId(Number(e.target.value));
                setWorkspaceEpoch((n) => n + 1);
                navigate(hrefOf({ name: 'datasets' }));
              }}
            >
              {me.workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {me?.user ? <span className="muted user-email">{me.user.email}</span> : null}
        <button type="button" className="secondary small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" className="main" key={workspaceEpoch}>
        {meError ? <ErrorNote error={meError} /> : null}
        {!me && !meError ? <Loading what="Signing in" /> : <Page route={route} />}
      </main>
    </div>
  );
}
