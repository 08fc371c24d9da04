// A real HTTP webhook receiver on 127.0.0.1 that records every request and answers as the test tells it to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each reply's status (default 200); return 'hang' to never answer. */
  respond: (req: { path: string; body: string; n: number }) => number | 'hang' | { status: number; location: string };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const r: Receiver = {
    url: '',
    received,
    respond: () => 200,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const answer = r.respond({ path, body, n: received.length });
      if (answer === 'hang') {
        received.push({ path, headers: req.headers, body, status: 0 });
        hanging.add(res);
        return;
      }
      const status = typeof answer === 'number' ? answer : answer.status;
      received.push({ path, headers: req.headers, body, status });
      if (typeof answer === 'object') res.setHeader('location', answer.location);
      res.statusCode = status;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
