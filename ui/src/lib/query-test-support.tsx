// Unit-test helpers: render inside the app's query cache and a workspace, and a fetch that answers from a small table.
import type { ReactElement, ReactNode } from 'react';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { createQueryClient, WorkspaceProvider } from './queries';

export function QueryWrapper({
  client,
  workspaceId = 1,
  children,
}: {
  client: QueryClient;
  workspaceId?: number | null;
  children: ReactNode;
}): ReactElement {
  return (
    <QueryClientProvider client={client}>
      <WorkspaceProvider value={workspaceId}>{children}</WorkspaceProvider>
    </QueryClientProvider>
  );
}

/** `ui` inside a fresh query cache (the provider the app's root gives every page). */
export function withQueries(ui: ReactElement, client: QueryClient = createQueryClient()): ReactElement {
  return <QueryWrapper client={client}>{ui}</QueryWrapper>;
}

export interface FetchCall {
  method: string;
  path: string;
  workspace: string | null;
  body: unknown;
}

/** A fetch answering `respond(call)` as JSON (status 200), recording every call; install with vi.stubGlobal. */
export function recordingFetch(respond: (call: FetchCall) => unknown): {
  fetch: typeof fetch;
  calls: FetchCall[];
} {
  const calls: FetchCall[] = [];
  const fake = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://ui.test');
    const headers = new Headers(init.headers);
    const call: FetchCall = {
      method: init.method ?? 'GET',
      path: url.pathname + url.search,
      workspace: headers.get('X-Workspace-Id'),
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    calls.push(call);
    return Promise.resolve(new Response(JSON.stringify(respond(call)), { status: 200 }));
  };
  return { fetch: fake, calls };
}
