// A fake OpenAI-compatible and Anthropic-compatible LLM provider on 127.0.0.1 that records every request it receives,
// for tests of what the SDKs' run() really sends (chat completions plain and streamed, responses, messages).
import type http from 'node:http';
import { sse, startRecordingServer, type RecordedCall, type RecordingServer } from './recording-server.js';

export type ProviderCall = RecordedCall;
/** Root URL (http://127.0.0.1:port): OpenAI clients take `${url}/v1`, Anthropic clients take `url`. */
export type FakeProviders = RecordingServer;

function chatCompletions(body: Record<string, unknown>, res: http.ServerResponse) {
  const model = String(body.model ?? 'unknown');
  const usage = { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 };
  if (body.stream) {
    const chunk = (delta: object, finish: string | null) => ({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    sse(res, [
      { data: chunk({ role: 'assistant', content: 'Hel' }, null) },
      { data: chunk({ content: 'lo' }, null) },
      { data: chunk({}, 'stop') },
      {
        data: {
          id: 'chatcmpl-fake',
          object: 'chat.completion.chunk',
          created: 1_700_000_000,
          model,
          choices: [],
          usage,
        },
      },
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
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
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
      output: [
        {
          type: 'message',
          id: 'msg_fake',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello', annotations: [] }],
        },
      ],
      usage: { input_tokens: 9, output_tokens: 1, total_tokens: 10 },
    }),
  );
}

function messages(body: Record<string, unknown>, res: http.ServerResponse) {
  const model = body.model;
  if (body.stream) {
    sse(res, [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id: 'msg_fake',
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            usage: { input_tokens: 7, output_tokens: 0 },
          },
        },
      },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bon' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'jour' } },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'Bonjour' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 7, output_tokens: 2 },
    }),
  );
}

export async function startFakeProviders(): Promise<FakeProviders> {
  return startRecordingServer((path, body, res) => {
    if (path === '/v1/chat/completions') chatCompletions(body, res);
    else if (path === '/v1/responses') responses(body, res);
    else if (path === '/v1/messages') messages(body, res);
    else return false;
    return true;
  });
}
