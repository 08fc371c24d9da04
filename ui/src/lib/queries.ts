// The UI's query cache (TanStack Query): the client, keys scoped by workspace, useApiQuery for pages, and invalidation.
import { createContext, useCallback, useContext } from 'react';
import { QueryClient, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';

/** Settings that keep the behaviour the pages had: no automatic retries, no refetch on focus or reconnect. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

const WorkspaceContext = createContext<number | null>(null);
/** The workspace the session works in; every query key starts with it, so switching workspace loads its own data. */
export const WorkspaceProvider = WorkspaceContext.Provider;
export const useWorkspaceId = (): number | null => useContext(WorkspaceContext);

/**
 * What a query is about, without the workspace: the first element names the resource, so invalidating
 * `['dataset-groups']` refreshes every list of groups whatever its search or page.
 */
export const keys = {
  groups: ['dataset-groups'],
  group: (id: number) => ['dataset-group', id],
  dataset: (id: number) => ['dataset', id],
  apiKeys: ['api-keys'],
  webhooks: ['webhooks'],
  users: ['users'],
  requests: ['requests'],
  request: (id: number) => ['request', id],
} as const;

export type QueryPath = readonly unknown[];

const scoped = (workspaceId: number | null, path: QueryPath): QueryKey => ['workspace', workspaceId, ...path];

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  /** True only while there is nothing to show yet (a refetch keeps showing the data it has). */
  loading: boolean;
  reload: () => void;
}

/**
 * A page's data: cached by `path` in the current workspace. While a new key loads (another page of a list), the
 * previous key's data of the same workspace stays on screen; polls every `pollMs` while `pollWhile(data)` holds.
 */
export function useApiQuery<T>(
  path: QueryPath,
  load: (signal: AbortSignal) => Promise<T>,
  opts: { enabled?: boolean; pollMs?: number; pollWhile?: (data: T) => boolean } = {},
): Loaded<T> {
  const workspaceId = useWorkspaceId();
  const { pollMs, pollWhile } = opts;
  const q = useQuery({
    queryKey: scoped(workspaceId, path),
    queryFn: ({ signal }) => load(signal),
    enabled: opts.enabled ?? true,
    placeholderData: (previous, previousQuery) =>
      previousQuery && previousQuery.queryKey[1] === workspaceId ? previous : undefined,
    refetchInterval: (query) => {
      const data = query.state.data;
      return pollMs && data !== undefined && pollWhile?.(data) ? pollMs : false;
    },
  });
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  return { data: q.data, error: q.error, loading: q.data === undefined && q.fetchStatus === 'fetching', reload };
}

/**
 * After a change: the given queries of the current workspace on screen refetch at once, and the cached ones off screen
 * are dropped, so a page opened next loads afresh instead of showing what the change made wrong.
 */
export function useInvalidate(): (...paths: QueryPath[]) => Promise<void> {
  const client = useQueryClient();
  const workspaceId = useWorkspaceId();
  return useCallback(
    async (...paths: QueryPath[]) => {
      await Promise.all(
        paths.map((p) => {
          const queryKey = scoped(workspaceId, p);
          client.removeQueries({ queryKey, type: 'inactive' });
          return client.invalidateQueries({ queryKey });
        }),
      );
    },
    [client, workspaceId],
  );
}

/** What a change to a group's versions makes stale: the group, the lists of groups (latest version), the version. */
export const versionChanged = (groupId: number, datasetId?: number): QueryPath[] => [
  keys.group(groupId),
  keys.groups,
  ...(datasetId !== undefined ? [keys.dataset(datasetId)] : []),
];
