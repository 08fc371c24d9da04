// One webhook POST: connects only to the addresses the outbound guard vetted, never follows redirects, gives up after a timeout.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboundTarget } from '../net/outbound-guard.js';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** A lookup that answers with the vetted addresses, so a second DNS answer cannot redirect the connection. */
function pinnedLookup(target: OutboundTarget): LookupFunction {
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, target.addresses);
    else cb(null, target.addresses[0].address, target.addresses[0].family);
  }) as unknown as LookupFunction;
}

export function postJson(
  target: OutboundTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  const { url } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: target.host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Strata-Webhooks/1',
          ...headers,
        },
        lookup: pinnedLookup(target),
        ...(url.protocol === 'https:' ? { servername: target.host } : {}),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          // The receiver's reply is not needed; stop reading a huge one.
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => {
          if (status >= 200 && status < 300) finish({ ok: true, statusCode: status, error: null });
          else if (status >= 300 && status < 400)
            finish({
              ok: false,
              statusCode: status,
              error: `HTTP ${status}: redirects are not followed${res.headers.location ? ` (Location: ${String(res.headers.location).slice(0, 200)})` : ''}`,
            });
          else finish({ ok: false, statusCode: status, error: `HTTP ${status}` });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => finish({ ok: false, statusCode: null, error: err.message || String(err) }));
    req.end(body);
  });
}
