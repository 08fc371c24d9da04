import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from './queries';
import { QueryWrapper, recordingFetch, type FetchCall } from './query-test-support';
import { session } from './session';
import { DatasetsPage } from '../pages/datasets';
import { SettingsPage } from '../pages/settings';

/** A tiny stand-in for the server's dataset-group and API-key routes, one list per workspace. */
function fakeServer() {
  const groups = new Map<string, Array<{ id: number; name: string }>>([
    ['1', [{ id: 1, name: 'alpha' }]],
    ['2', [{ id: 2, name: 'beta' }]],
  ]);
  const apiKeys: Array<{ id: number; name: string }> = [];
  let nextId = 10;
  const group = (g: { id: number; name: string }, ws: string) => ({
    ...g,
    workspace_id: Number(ws),
    is_deleted: false,
  });
  return recordingFetch((c: FetchCall) => {
    const ws = c.workspace ?? '1';
    const list = groups.get(ws) ?? [];
    if (c.method === 'GET' && c.path.startsWith('/api/public/v2/dataset-groups'))
      return {
        success: true,
        dataset_groups: list.map((g) => group(g, ws)),
        page: 1,
        per_page: 50,
        total: list.length,
        pages: 1,
      };
    if (c.method === 'GET' && c.path.startsWith('/api/public/v2/datasets')) return { success: true, datasets: [] };
    if (c.method === 'POST' && c.path === '/api/public/v2/dataset-groups') {
      const g = { id: nextId++, name: (c.body as { name: string }).name };
      list.push(g);
      return { success: true, message: 'created', dataset_group: group(g, ws) };
    }
    if (c.method === 'GET' && c.path === '/api/public/v2/api-keys')
      return {
        success: true,
        api_keys: apiKeys.map((k) => ({
          ...k,
          prefix: `sk_${k.id}`,
          workspace_id: 1,
          created_at: '2026-01-01T00:00:00Z',
          last_used_at: null,
          revoked: false,
        })),
      };
    if (c.method === 'POST' && c.path === '/api/public/v2/api-keys') {
      const k = { id: nextId++, name: (c.body as { name: string }).name };
      apiKeys.push(k);
      return { success: true, api_key: k, key: `sk_secret_${k.id}` };
    }
    throw new Error(`unexpected ${c.method} ${c.path}`);
  });
}

const gets = (calls: FetchCall[], prefix: string) =>
  calls.filter((c) => c.method === 'GET' && c.path.startsWith(prefix));

beforeEach(() => {
  session.setToken('test-token');
  session.setWorkspaceId(1);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('query cache', () => {
  it('creating a group refreshes the list on screen without a reload', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetch);
    render(
      <QueryWrapper client={createQueryClient()} workspaceId={1}>
        <DatasetsPage />
      </QueryWrapper>,
    );
    await screen.findByText('alpha');
    expect(gets(server.calls, '/api/public/v2/dataset-groups')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('New dataset group'), { target: { value: 'gamma' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create group' })));
    await screen.findByText('gamma');
    expect(gets(server.calls, '/api/public/v2/dataset-groups')).toHaveLength(2);
  });

  it('switching workspace loads that workspace under its own key, never showing the other one’s groups', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetch);
    const client = createQueryClient();
    const { rerender } = render(
      <QueryWrapper client={client} workspaceId={1}>
        <DatasetsPage />
      </QueryWrapper>,
    );
    await screen.findByText('alpha');
    session.setWorkspaceId(2);
    rerender(
      <QueryWrapper client={client} workspaceId={2}>
        <DatasetsPage />
      </QueryWrapper>,
    );
    // Workspace 1's list is not kept on screen while workspace 2's loads.
    expect(screen.queryByText('alpha')).toBeNull();
    await screen.findByText('beta');
    expect(gets(server.calls, '/api/public/v2/dataset-groups').map((c) => c.workspace)).toEqual(['1', '2']);
    // Back to workspace 1: its cached list shows at once (and refetches behind it).
    session.setWorkspaceId(1);
    rerender(
      <QueryWrapper client={client} workspaceId={1}>
        <DatasetsPage />
      </QueryWrapper>,
    );
    expect(screen.getByText('alpha')).toBeTruthy();
    await waitFor(() => expect(gets(server.calls, '/api/public/v2/dataset-groups')).toHaveLength(3));
  });

  it('creating an API key refreshes the key list', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetch);
    render(
      <QueryWrapper client={createQueryClient()} workspaceId={1}>
        <SettingsPage tab="api-keys" />
      </QueryWrapper>,
    );
    await screen.findByText('No API keys yet.');
    fireEvent.change(screen.getByLabelText('New API key name'), { target: { value: 'ci' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create API key' })));
    await screen.findByText('ci');
    expect(screen.getByTestId('one-time-secret').textContent).toMatch(/^sk_secret_/);
    expect(gets(server.calls, '/api/public/v2/api-keys')).toHaveLength(2);
  });
});
