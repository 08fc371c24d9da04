// OpenAI chat completions (`openai.chat.completions.create`, also the SDKs' assembled stream) → a request log's
// blueprints, parameters and tokens.
import {
  arr,
  chat,
  contentBlocks,
  count,
  obj,
  parametersOf,
  str,
  toolCall,
  type Json,
  type Message,
  type ProviderLog,
} from './blueprint.js';

function message(m: Json): Message {
  const out: Message = { role: str(m.role) ?? 'user', content: contentBlocks(m.content) };
  const calls = arr(m.tool_calls).map((c) => {
    const call = obj(c);
    const fn = obj(call.function);
    return toolCall(call.id, fn.name, fn.arguments);
  });
  // The legacy single `function_call` is a tool call without an id.
  if (m.function_call) calls.push(toolCall('', obj(m.function_call).name, obj(m.function_call).arguments));
  if (calls.length > 0) out.tool_calls = calls;
  if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
  if (typeof m.name === 'string') out.name = m.name;
  return out;
}

export function fromOpenAiChat(kwargs: Json, response: Json): ProviderLog {
  const choice = obj(arr(response.choices)[0]);
  // A streamed choice assembled by an SDK may still carry `delta` instead of `message`.
  const reply = obj(choice.message ?? choice.delta);
  const usage = obj(response.usage);
  return {
    model: str(response.model) || str(kwargs.model) || 'unknown',
    input: chat(arr(kwargs.messages).map((m) => message(obj(m)))),
    output: chat(Object.keys(reply).length > 0 ? [message({ role: 'assistant', ...reply })] : []),
    parameters: parametersOf(kwargs, ['messages']),
    input_tokens: count(usage.prompt_tokens ?? usage.input_tokens),
    output_tokens: count(usage.completion_tokens ?? usage.output_tokens),
    api_type: 'chat-completions',
  };
}
