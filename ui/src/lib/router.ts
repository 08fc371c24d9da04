// Client-side routes: URL <-> Route, navigation with the History API, and a hook for the current route.
import { useEffect, useState } from 'react';

export type Route =
  | { name: 'signin' }
  | { name: 'datasets' }
  | { name: 'group'; id: number }
  | { name: 'rows'; id: number }
  | { name: 'build'; groupId: number }
  | { name: 'compare'; groupId: number; a?: number; b?: number }
  | { name: 'requests' }
  | { name: 'request'; id: number }
  | { name: 'settings'; tab: 'api-keys' | 'webhooks' | 'users' }
  | { name: 'notfound'; path: string };

const positive = (s: string | null | undefined): number | undefined => {
  if (!s || !/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 ? n : undefined;
};

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean);
  const params = new URLSearchParams(search);
  const [a, b, c, d] = parts;
  if (parts.length === 0) return { name: 'datasets' };
  if (a === 'sign-in' && parts.length === 1) return { name: 'signin' };
  if (a === 'datasets') {
    if (parts.length === 1) return { name: 'datasets' };
    const id = positive(c);
    if (b === 'groups' && id && parts.length === 3) return { name: 'group', id };
    if (b === 'groups' && id && d === 'build' && parts.length === 4) return { name: 'build', groupId: id };
    if (b === 'groups' && id && d === 'compare' && parts.length === 4)
      return { name: 'compare', groupId: id, a: positive(params.get('a')), b: positive(params.get('b')) };
    if (b === 'versions' && id && parts.length === 3) return { name: 'rows', id };
  }
  if (a === 'requests') {
    if (parts.length === 1) return { name: 'requests' };
    const id = positive(b);
    if (id && parts.length === 2) return { name: 'request', id };
  }
  if (a === 'settings') {
    if (parts.length === 1) return { name: 'settings', tab: 'api-keys' };
    if ((b === 'api-keys' || b === 'webhooks' || b === 'users') && parts.length === 2)
      return { name: 'settings', tab: b };
  }
  return { name: 'notfound', path: pathname };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'signin':
      return '/sign-in';
    case 'datasets':
      return '/datasets';
    case 'group':
      return `/datasets/groups/${route.id}`;
    case 'rows':
      return `/datasets/versions/${route.id}`;
    case 'build':
      return `/datasets/groups/${route.groupId}/build`;
    case 'compare': {
      const q = new URLSearchParams();
      if (route.a) q.set('a', String(route.a));
      if (route.b) q.set('b', String(route.b));
      const s = q.toString();
      return `/datasets/groups/${route.groupId}/compare${s ? `?${s}` : ''}`;
    }
    case 'requests':
      return '/requests';
    case 'request':
      return `/requests/${route.id}`;
    case 'settings':
      return `/settings/${route.tab}`;
    case 'notfound':
      return route.path;
  }
}

const listeners = new Set<() => void>();

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const read = () => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

// ---- page state kept in the URL (search text, filters, page, scroll row), so Back and a shared link restore it

/** A query parameter of the current URL. */
export function queryParam(name: string): string | null {
  return new URLSearchParams(window.location.search).get(name);
}

/** `search` with `updates` applied (null/undefined/'' removes a parameter), as "?a=1" or "". */
export function withQuery(search: string, updates: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams(search);
  for (const [k, v] of Object.entries(updates)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * Rewrites query parameters of the current history entry in place: no new entry and no re-render, so typing or
 * scrolling does not flood the history, and Back to this entry finds the state again.
 */
export function replaceQuery(updates: Record<string, string | number | null | undefined>): void {
  const next = window.location.pathname + withQuery(window.location.search, updates) + window.location.hash;
  if (next !== window.location.pathname + window.location.search + window.location.hash)
    window.history.replaceState(window.history.state, '', next);
}
