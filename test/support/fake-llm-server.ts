// A fake OpenAI- and Anthropic-compatible HTTP server on 127.0.0.1 for SDK tests: chat completions, responses and
// messages, each as plain JSON or as an SSE stream, with usage; it records every request body it receives.
import type http from 'node:http';
import { sse, startRecordingServer, type RecordedCall } from './recording-server.js';

export interface FakeLlm {
  url: string;
  requests: RecordedCall[];
  close(): Promise<void>;
}

/** The reply text every endpoint answers with (split into several stream chunks). */
export const REPLY = 'Hello from the fake model';
const PIECES = ['Hello', ' from', ' the', ' fake', ' model'];
export const USAGE = { input: 11, output: 5 };

type Body = Record<string, unknown>;

function chatCompletions(body: Body, res: http.ServerResponse): void {
  const model = String(body.model);
  const tool =
    Array.isArray(body.tools) && body.tools.length > 0
      ? (body.tools[0] as { function: { name: string } }).function.name
      : undefined;
  const base = { id: 'chatcmpl-fake', created: 1_700_000_000, model };
  const usage = {
    prompt_tokens: USAGE.input,
    completion_tokens: USAGE.output,
    total_tokens: USAGE.input + USAGE.output,
  };
  if (!body.stream) {
    const message = tool
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: tool, arguments: '{"city":"Paris"}' } }],
        }
      : { role: 'assistant', content: REPLY };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop', logprobs: null }],
        usage,
      }),
    );
    return;
  }
  const chunk = (delta: Body, finish: string | null = null) => ({
    data: {
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    },
  });
  const events: Array<{ data: unknown }> = [
    chunk({ role: 'assistant', content: '' }),
    ...PIECES.map((p) => chunk({ content: p })),
    chunk({}, 'stop'),
  ];
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage)
    events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
  sse(res, [...events, { data: '[DONE]' }]);
}

function responses(body: Body, res: http.ServerResponse): void {
  const message = {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: REPLY, annotations: [] }],
  };
  const full = {
    id: 'resp_fake',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: String(body.model),
    output: [message],
    usage: { input_tokens: USAGE.input, output_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output },
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(full));
    return;
  }
  let seq = 0;
  const ev = (type: string, data: Body) => ({ event: type, data: { type, sequence_number: seq++, ...data } });
  const inProgress = { ...full, status: 'in_progress', output: [], usage: null };
  sse(res, [
    ev('response.created', { response: inProgress }),
    ev('response.in_progress', { response: inProgress }),
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    ev('response.content_part.added', {
      item_id: 'msg_fake',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...PIECES.map((p) =>
      ev('response.output_text.delta', { item_id: 'msg_fake', output_index: 0, content_index: 0, delta: p }),
    ),
    ev('response.output_text.done', { item_id: 'msg_fake', output_index: 0, content_index: 0, text: REPLY }),
    ev('response.content_part.done', {
      item_id: 'msg_fake',
      output_index: 0,
      content_index: 0,
      part: message.content[0],
    }),
    ev('response.output_item.done', { output_index: 0, item: message }),
    ev('response.completed', { response: full }),
  ]);
}

function messages(body: Body, res: http.ServerResponse): void {
  const model = String(body.model);
  const base = { id: 'msg_fake', type: 'message', role: 'assistant', model, stop_sequence: null };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...base,
        content: [{ type: 'text', text: REPLY }],
        stop_reason: 'end_turn',
        usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
      }),
    );
    return;
  }
  const ev = (type: string, data: Body) => ({ event: type, data: { type, ...data } });
  sse(res, [
    ev('message_start', {
      message: { ...base, content: [], stop_reason: null, usage: { input_tokens: USAGE.input, output_tokens: 1 } },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...PIECES.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: USAGE.output },
    }),
    ev('message_stop', {}),
  ]);
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const server = await startRecordingServer((path, body, res) => {
    if (path === '/v1/chat/completions') chatCompletions(body, res);
    else if (path === '/v1/responses') responses(body, res);
    else if (path === '/v1/messages') messages(body, res);
    else return false;
    return true;
  });
  return { url: server.url, requests: server.calls, close: server.close };
}
