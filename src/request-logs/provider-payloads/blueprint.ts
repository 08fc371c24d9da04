// Small builders shared by the provider payload mappers: content blocks and chat messages in PromptLayer's blueprint
// shape (`{type:"chat", messages:[{role, content:[{type:"text", text}]}]}`), and safe readers for untyped JSON.
import { MAX_INT32 } from '../../input-limits.js';

export type Json = Record<string, unknown>;
export type Block = Json & { type: string };
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
export interface Message {
  role: string;
  content: Block[];
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
}
export interface ChatBlueprint {
  type: 'chat';
  messages: Message[];
}

/** What one provider call becomes: the fields of a request log that depend on the provider's formats. */
export interface ProviderLog {
  model: string;
  input: ChatBlueprint;
  output: ChatBlueprint;
  parameters: Json;
  input_tokens: number;
  output_tokens: number;
  api_type: string;
}

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Json => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const count = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.round(v), MAX_INT32) : 0;

export const text = (t: string): Block => ({ type: 'text', text: t });

/** A provider's string-or-parts content as blueprint blocks; text parts of any flavour become `text` blocks. */
export function contentBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [text(content)];
  const out: Block[] = [];
  for (const part of arr(content)) {
    if (typeof part === 'string') out.push(text(part));
    else if (isObj(part)) {
      const type = str(part.type) ?? 'text';
      if ((type === 'text' || type === 'input_text' || type === 'output_text') && typeof part.text === 'string')
        out.push(text(part.text));
      else out.push({ ...part, type });
    }
  }
  return out;
}

export const toolCall = (id: unknown, name: unknown, args: unknown): ToolCall => ({
  id: str(id) ?? '',
  type: 'function',
  function: { name: str(name) ?? '', arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
});

export const chat = (messages: Message[]): ChatBlueprint => ({ type: 'chat', messages });

/** The request kwargs that are call parameters: everything but the prompt, the model and transport options. */
export function parametersOf(kwargs: Json, promptKeys: string[]): Json {
  const drop = new Set([...promptKeys, 'model', 'stream', 'stream_options']);
  return Object.fromEntries(Object.entries(kwargs).filter(([k, v]) => !drop.has(k) && v !== undefined));
}
