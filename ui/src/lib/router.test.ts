import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './router';

describe('routes', () => {
  it('parses every page and round-trips through hrefOf', () => {
    const cases: Array<[string, Route]> = [
      ['/sign-in', { name: 'signin' }],
      ['/datasets', { name: 'datasets' }],
      ['/datasets/groups/4', { name: 'group', id: 4 }],
      ['/datasets/versions/9', { name: 'rows', id: 9 }],
      ['/datasets/groups/4/build', { name: 'build', groupId: 4 }],
      ['/requests', { name: 'requests' }],
      ['/requests/77', { name: 'request', id: 77 }],
      ['/settings/webhooks', { name: 'settings', tab: 'webhooks' }],
    ];
    for (const [path, route] of cases) {
      expect(parseRoute(path)).toEqual(route);
      expect(hrefOf(route)).toBe(path);
    }
    expect(parseRoute('/')).toEqual({ name: 'datasets' });
    expect(parseRoute('/settings')).toEqual({ name: 'settings', tab: 'api-keys' });
  });

  it('reads compare picks from the query', () => {
    expect(parseRoute('/datasets/groups/4/compare', '?a=1&b=2')).toEqual({ name: 'compare', groupId: 4, a: 1, b: 2 });
    expect(parseRoute('/datasets/groups/4/compare', '?a=x')).toEqual({
      name: 'compare',
      groupId: 4,
      a: undefined,
      b: undefined,
    });
    expect(hrefOf({ name: 'compare', groupId: 4, a: 1, b: 2 })).toBe('/datasets/groups/4/compare?a=1&b=2');
  });

  it('sends unknown paths and bad ids to not found', () => {
    for (const p of ['/nope', '/datasets/groups/0', '/datasets/groups/abc', '/requests/1/2', '/settings/other'])
      expect(parseRoute(p).name).toBe('notfound');
  });
});
