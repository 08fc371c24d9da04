// A fake OpenAI-compatible and Anthropic-compatible LLM provider on 127.0.0.1 that records every request it receives,
// for tests of what the SDKs' run() really sends (chat completions plain and streamed, responses, messages).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeProviders {
  /** Root URL (http://127.0.0.1:port): OpenAI clients take `${url}/v1`, Anthropic clients take `url`. */
  url: string;
  calls: ProviderCall[];
  close(): Promise<void>;
}

const sse = (res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>) => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  res.end();
};

function chatCompletions(body: Record<string, unknown>, res: http.ServerResponse) {
  const model = String(body.model ?? 'unknown');
  const usage = { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 };
  if (body.stream) {
    const chunk = (delta: object, finish: string | null) => ({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    sse(res, [
      { data: chunk({ role: 'assistant', content: 'Hel' }, null) },
      { data: chunk({ content: 'lo' }, null) },
      { data: chunk({}, 'stop') },
      { data: { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage } },
      { data: '[DONE]' },
    ]);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    }),
  );
}

function responses(body: Record<string, unknown>, res: http.ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'resp_fake',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      model: body.model,
      output: [{ type: 'message', id: 'msg_fake', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] }],
      usage: { input_tokens: 9, output_tokens: 1, total_tokens: 10 },
    }),
  );
}

function messages(body: Record<string, unknown>, res: http.ServerResponse) {
  const model = body.model;
  if (body.stream) {
    sse(res, [
      { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: 7, output_tokens: 0 } } } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bon' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'jour' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } } },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'msg_fake', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'Bonjour' }], stop_reason: 'end_turn', usage: { input_tokens: 7, output_tokens: 2 } }));
}

export async function startFakeProviders(): Promise<FakeProviders> {
  const calls: ProviderCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      const path = (req.url ?? '/').split('?')[0];
      calls.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (path === '/v1/chat/completions') return chatCompletions(body, res);
      if (path === '/v1/responses') return responses(body, res);
      if (path === '/v1/messages') return messages(body, res);
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
