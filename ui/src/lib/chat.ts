// Reads a messages-style value (a PromptLayer chat blueprint, an OpenAI/Anthropic messages array, or its JSON text)
// as role bubbles with text and tool calls; anything else is not a chat (null) and is shown as plain text.

export interface ToolCall {
  id: string | null;
  name: string;
  /** Arguments as pretty JSON text (or as the provider sent them). */
  args: string;
}

export interface ChatMessage {
  role: string;
  /** Text parts, joined; other parts (images, files) are described in brackets. */
  text: string;
  toolCalls: ToolCall[];
  /** For a tool result: the call it answers. */
  toolCallId: string | null;
  name: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const pretty = (v: unknown): string => {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v ?? {}, null, 2);
};

function toolCall(c: unknown): ToolCall | null {
  if (!isObj(c)) return null;
  const fn = isObj(c.function) ? c.function : c;
  const name = typeof fn.name === 'string' ? fn.name : null;
  if (!name) return null;
  return { id: typeof c.id === 'string' ? c.id : null, name, args: pretty(fn.arguments ?? fn.input ?? c.input ?? {}) };
}

/** Text of a content value: a string, or parts ({type:"text", text}, tool_use, tool_result, images). */
function contentOf(content: unknown, calls: ToolCall[], results: string[]): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return pretty(content);
  const out: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') out.push(part);
    else if (!isObj(part)) continue;
    else if (typeof part.text === 'string') out.push(part.text);
    else if (part.type === 'tool_use') {
      const c = toolCall(part);
      if (c) calls.push(c);
    } else if (part.type === 'tool_result') {
      if (typeof part.tool_use_id === 'string') results.push(part.tool_use_id);
      out.push(contentOf(part.content, calls, results));
    } else out.push(`[${String(part.type ?? 'part')}]`);
  }
  return out.filter(Boolean).join('\n');
}

function messageOf(m: unknown): ChatMessage | null {
  if (!isObj(m) || typeof m.role !== 'string') return null;
  const calls: ToolCall[] = [];
  const results: string[] = [];
  const text = contentOf(m.content, calls, results);
  if (Array.isArray(m.tool_calls))
    for (const c of m.tool_calls) {
      const t = toolCall(c);
      if (t) calls.push(t);
    }
  const legacy = toolCall(m.function_call);
  if (legacy) calls.push(legacy);
  const toolCallId = typeof m.tool_call_id === 'string' ? m.tool_call_id : (results[0] ?? null);
  return { role: m.role, text, toolCalls: calls, toolCallId, name: typeof m.name === 'string' ? m.name : null };
}

/** The messages of a chat-like value, or null when it is not one (so callers fall back to plain text). */
export function chatOf(value: unknown): ChatMessage[] | null {
  let v = value;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!(t.startsWith('[') || t.startsWith('{'))) return null;
    try {
      v = JSON.parse(t);
    } catch {
      return null;
    }
  }
  if (isObj(v) && v.type === 'completion' && v.content !== undefined) {
    return [{ role: 'completion', text: contentOf(v.content, [], []), toolCalls: [], toolCallId: null, name: null }];
  }
  const list = Array.isArray(v) ? v : isObj(v) && Array.isArray(v.messages) ? v.messages : null;
  if (!list || list.length === 0) return null;
  const messages = list.map(messageOf);
  return messages.every((m) => m !== null) ? messages : null;
}
