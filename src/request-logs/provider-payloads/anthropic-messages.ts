// Anthropic Messages (`anthropic.messages.create`, plain or the SDKs' assembled stream) → a request log's blueprints,
// parameters and tokens. Tool use becomes assistant tool calls; tool results become `tool` messages, as PromptLayer shows them.
import {
  arr,
  chat,
  contentBlocks,
  count,
  isObj,
  obj,
  parametersOf,
  str,
  toolCall,
  type Json,
  type Message,
  type ProviderLog,
} from './blueprint.js';

/** One Anthropic message as one or more blueprint messages (each tool_result block is its own `tool` message). */
function messages(role: string, content: unknown): Message[] {
  if (!Array.isArray(content)) return [{ role, content: contentBlocks(content) }];
  const main: Message = { role, content: [] };
  const tools: Message[] = [];
  for (const raw of content) {
    const block = obj(raw);
    if (block.type === 'tool_use') (main.tool_calls ??= []).push(toolCall(block.id, block.name, block.input));
    else if (block.type === 'tool_result')
      tools.push({ role: 'tool', content: contentBlocks(block.content), tool_call_id: str(block.tool_use_id) ?? '' });
    else if (block.type === 'thinking')
      main.content.push({
        type: 'thinking',
        thinking: str(block.thinking) ?? '',
        signature: str(block.signature) ?? '',
      });
    else main.content.push(...contentBlocks([raw]));
  }
  return [...tools, ...(main.content.length > 0 || main.tool_calls ? [main] : [])];
}

export function fromAnthropicMessages(kwargs: Json, response: Json): ProviderLog {
  const input: Message[] = [];
  if (kwargs.system !== undefined && kwargs.system !== null)
    input.push({ role: 'system', content: contentBlocks(kwargs.system) });
  for (const m of arr(kwargs.messages)) if (isObj(m)) input.push(...messages(str(m.role) ?? 'user', m.content));
  const usage = obj(response.usage);
  return {
    model: str(response.model) || str(kwargs.model) || 'unknown',
    input: chat(input),
    output: chat(response.content !== undefined ? messages('assistant', response.content) : []),
    parameters: parametersOf(kwargs, ['messages', 'system']),
    input_tokens: count(usage.input_tokens),
    output_tokens: count(usage.output_tokens),
    api_type: 'messages',
  };
}
