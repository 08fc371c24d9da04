// The app shell: the query cache, sign-in gate, top navigation with the workspace switcher, and the current route's page.
import { useCallback, useEffect, useState } from 'react';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { call, setSignedOutHandler } from './lib/api';
import { hrefOf, navigate, useRoute, type Route } from './lib/router';
import { isExpired, onSessionChange, session } from './lib/session';
import type { Me } from './lib/types';
import { createQueryClient, WorkspaceProvider } from './lib/queries';
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
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <Shell />
    </QueryClientProvider>
  );
}

function Shell() {
  const queryClient = useQueryClient();
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
  // Query keys start with the workspace: choosing another one loads its data (and keeps each one's cache apart).
  const [workspaceId, setWorkspaceId] = useState(() => session.workspaceId());

  const signOut = useCallback(() => {
    // A key this session minted for API-key-only routes ends with the session (best effort: sign-out never waits).
    const minted = session.mintedKeyId();
    if (minted !== null)
      void call('DELETE', '/api/public/v2/api-keys/{id}', { path: { id: minted } }).catch(() => undefined);
    session.clear();
    // The next session (perhaps another user) must not see this one's cached data.
    queryClient.clear();
    setMe(null);
    setSignedIn(false);
  }, [queryClient]);

  useEffect(
    () =>
      setSignedOutHandler((notice) => {
        session.setSignedOutNotice(notice);
        setSignInNotice(notice);
        queryClient.clear();
        setMe(null);
        setSignedIn(false);
      }),
    [queryClient],
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
        if (!now) {
          queryClient.clear();
          setMe(null);
        }
      }),
    [queryClient],
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
        setWorkspaceId(session.workspaceId());
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

  const shownWorkspace = workspaceId ?? me?.workspace_id;
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
              value={shownWorkspace ?? ''}
              onChange={(e) => {
                session.setWorkspaceId(Number(e.target.value));
                setWorkspaceId(session.workspaceId());
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
      <main id="main" className="main">
        {meError ? <ErrorNote error={meError} /> : null}
        {!me && !meError ? (
          <Loading what="Signing in" />
        ) : (
          <WorkspaceProvider value={shownWorkspace ?? null}>
            <Page route={route} />
          </WorkspaceProvider>
        )}
      </main>
    </div>
  );
}
