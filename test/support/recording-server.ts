// A loopback HTTP server for fake LLM providers: records every request (method, path, headers, JSON body), hands it to
// the fake's routes, answers 404 for paths the fake does not serve, and writes server-sent events.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A fake's routes: answers `res` and returns true when it serves `path`. */
export type FakeRoutes = (path: string, body: Record<string, unknown>, res: http.ServerResponse) => boolean;

export interface RecordingServer {
  /** Root URL (http://127.0.0.1:port). */
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** Writes `events` as one text/event-stream response (`data` strings are sent as they are, e.g. "[DONE]"). */
export function sse(res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events)
    res.write(
      `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    );
  res.end();
}

export async function startRecordingServer(routes: FakeRoutes): Promise<RecordingServer> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      const path = (req.url ?? '/').split('?')[0];
      calls.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (routes(path, body, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no fake for ${path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
