// OpenAI Responses API (`openai.responses.create`, plain or the SDKs' assembled stream) → a request log's blueprints,
// parameters and tokens.
import {
  arr,
  chat,
  contentBlocks,
  count,
  obj,
  parametersOf,
  str,
  text,
  toolCall,
  type Json,
  type Message,
  type ProviderLog,
} from './blueprint.js';

/** `input` is a string or a list of items: messages, function calls and function call outputs. */
function inputMessages(kwargs: Json): Message[] {
  const out: Message[] = [];
  if (typeof kwargs.instructions === 'string' && kwargs.instructions !== '')
    out.push({ role: 'system', content: [text(kwargs.instructions)] });
  if (typeof kwargs.input === 'string') {
    out.push({ role: 'user', content: [text(kwargs.input)] });
    return out;
  }
  for (const raw of arr(kwargs.input)) {
    const item = obj(raw);
    if (item.type === 'function_call')
      out.push({
        role: 'assistant',
        content: [],
        tool_calls: [toolCall(item.call_id ?? item.id, item.name, item.arguments)],
      });
    else if (item.type === 'function_call_output')
      out.push({ role: 'tool', content: contentBlocks(item.output), tool_call_id: str(item.call_id) ?? '' });
    else if (item.role !== undefined || item.type === 'message')
      out.push({ role: str(item.role) ?? 'user', content: contentBlocks(item.content) });
  }
  return out;
}

function outputMessages(response: Json): Message[] {
  const reply: Message = { role: 'assistant', content: [] };
  for (const raw of arr(response.output)) {
    const item = obj(raw);
    if (item.type === 'message') reply.content.push(...contentBlocks(item.content));
    else if (item.type === 'function_call')
      (reply.tool_calls ??= []).push(toolCall(item.call_id ?? item.id, item.name, item.arguments));
    else if (item.type === 'reasoning') {
      const summary = arr(item.summary)
        .map((s) => str(obj(s).text) ?? '')
        .join('');
      if (summary !== '') reply.content.push({ type: 'thinking', thinking: summary, signature: '' });
    }
  }
  // Some assembled streams carry only the convenience `output_text`.
  if (reply.content.length === 0 && typeof response.output_text === 'string' && response.output_text !== '')
    reply.content.push(text(response.output_text));
  return reply.content.length > 0 || reply.tool_calls ? [reply] : [];
}

export function fromOpenAiResponses(kwargs: Json, response: Json): ProviderLog {
  const usage = obj(response.usage);
  return {
    model: str(response.model) || str(kwargs.model) || 'unknown',
    input: chat(inputMessages(kwargs)),
    output: chat(outputMessages(response)),
    parameters: parametersOf(kwargs, ['input', 'instructions']),
    input_tokens: count(usage.input_tokens ?? usage.prompt_tokens),
    output_tokens: count(usage.output_tokens ?? usage.completion_tokens),
    api_type: 'responses',
  };
}
