// Turns a rendered prompt template and its model metadata into the provider request PromptLayer returns as `llm_kwargs`:
// what the SDKs' run() passes, plus `stream`, to chat.completions.create / responses.create / messages.create.

type Json = Record<string, unknown>;

export interface ModelSpec {
  provider?: string;
  name?: string;
  parameters?: Json;
  api_type?: string | null;
}

export interface LlmKwargsRequest {
  /** The rendered template. */
  template: unknown;
  model: ModelSpec | null;
  /** The fetch's `provider` / `model` / `model_parameter_overrides`. */
  provider?: string;
  modelName?: string;
  parameterOverrides?: Json;
}

export interface LlmKwargsResult {
  llm_kwargs: Json | null;
  /** Why llm_kwargs is null, or what was left out. */
  notes: string[];
}

const OPENAI_PROVIDERS = new Set(['openai', 'openai.azure']);
/** Anthropic requires max_tokens; PromptLayer's registry always sets it, Strata fills this when a template has none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

const isRecord = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The API the JS SDK calls for an OpenAI model: it sends anything but 'chat-completions' to responses.create. */
export function openAiApiType(model: ModelSpec | null): string {
  return typeof model?.api_type === 'string' && model.api_type !== '' ? model.api_type : 'chat-completions';
}

interface Part {
  type?: string;
  text?: string;
  image_url?: { url?: string; detail?: string } | string;
  [k: string]: unknown;
}

function partsOf(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content).filter(isRecord);
}

const textOf = (content: unknown) =>
  partsOf(content)
    .filter((p) => (p.type === undefined || p.type === 'text') && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('');

const imageUrlOf = (p: Part): string | undefined =>
  typeof p.image_url === 'string' ? p.image_url : typeof p.image_url?.url === 'string' ? p.image_url.url : undefined;

interface ToolCall {
  id?: string;
  function?: { name?: string; arguments?: unknown };
}

const toolCallsOf = (m: Json): ToolCall[] => arr(m.tool_calls).filter(isRecord);
const argsText = (a: unknown) => (typeof a === 'string' ? a : JSON.stringify(a ?? {}));

/** Placeholder messages expand to the messages sent in the input variable of the same name (PromptLayer's behaviour). */
function expandPlaceholders(messages: Json[], variables: Json): Json[] {
  const out: Json[] = [];
  for (const m of messages) {
    if (m.role !== 'placeholder') out.push(m);
    else if (typeof m.name === 'string') for (const x of arr(variables[m.name])) if (isRecord(x)) out.push(x);
  }
  return out;
}

// ---- OpenAI chat completions

function openAiChatMessage(m: Json): Json {
  const role = typeof m.role === 'string' ? m.role : 'user';
  const name = typeof m.name === 'string' && m.name !== '' ? { name: m.name } : {};
  if (role === 'system' || role === 'developer') return { role, content: textOf(m.content), ...name };
  if (role === 'assistant') {
    const calls = toolCallsOf(m).map((c) => ({
      id: c.id ?? '',
      type: 'function',
      function: { name: c.function?.name ?? '', arguments: argsText(c.function?.arguments) },
    }));
    const text = textOf(m.content);
    return {
      role,
      content: text === '' && calls.length > 0 ? null : text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
      ...name,
    };
  }
  if (role === 'tool')
    return { role, content: textOf(m.content), tool_call_id: typeof m.tool_call_id === 'string' ? m.tool_call_id : '' };
  if (role === 'function') return { role, content: textOf(m.content), name: typeof m.name === 'string' ? m.name : '' };
  // user (and any other role): content parts, as the SDK's OpenAI wrapper sends them
  const content = partsOf(m.content).flatMap((p): Json[] => {
    if (p.type === undefined || p.type === 'text')
      return typeof p.text === 'string' ? [{ type: 'text', text: p.text }] : [];
    if (p.type === 'image_url') {
      const url = imageUrlOf(p);
      const detail = typeof p.image_url === 'object' && p.image_url?.detail ? { detail: p.image_url.detail } : {};
      return url ? [{ type: 'image_url', image_url: { url, ...detail } }] : [];
    }
    return [p];
  });
  return { role, content, ...name };
}

function chatTools(t: Json): Json {
  const out: Json = {};
  if (Array.isArray(t.tools) && t.tools.length > 0) out.tools = t.tools;
  if (t.tool_choice !== undefined && t.tool_choice !== null) out.tool_choice = t.tool_choice;
  if (Array.isArray(t.functions) && t.functions.length > 0) out.functions = t.functions;
  if (t.function_call !== undefined && t.function_call !== null && Array.isArray(t.functions) && t.functions.length > 0)
    out.function_call = t.function_call;
  return out;
}

// ---- OpenAI responses

function responsesInput(messages: Json[]): Json[] {
  const out: Json[] = [];
  for (const m of messages) {
    const role = typeof m.role === 'string' ? m.role : 'user';
    if (role === 'tool') {
      out.push({
        type: 'function_call_output',
        call_id: typeof m.tool_call_id === 'string' ? m.tool_call_id : '',
        output: textOf(m.content),
      });
      continue;
    }
    if (role === 'assistant') {
      const text = textOf(m.content);
      if (text !== '') out.push({ role, content: [{ type: 'output_text', text }] });
      for (const c of toolCallsOf(m))
        out.push({
          type: 'function_call',
          call_id: c.id ?? '',
          name: c.function?.name ?? '',
          arguments: argsText(c.function?.arguments),
        });
      continue;
    }
    const content = partsOf(m.content).flatMap((p): Json[] => {
      if (p.type === undefined || p.type === 'text')
        return typeof p.text === 'string' ? [{ type: 'input_text', text: p.text }] : [];
      if (p.type === 'image_url') {
        const url = imageUrlOf(p);
        return url ? [{ type: 'input_image', image_url: url }] : [];
      }
      return [p];
    });
    out.push({ role: role === 'function' ? 'user' : role, content });
  }
  return out;
}

/** Chat-completions tool definitions ({type:'function', function:{…}}) in the responses API's flat form. */
function responsesTools(t: Json): Json {
  const out: Json = {};
  const tools = arr(t.tools)
    .filter(isRecord)
    .map((tool) =>
      tool.type === 'function' && isRecord(tool.function) ? { type: 'function', ...tool.function } : tool,
    );
  if (tools.length > 0) out.tools = tools;
  if (t.tool_choice !== undefined && t.tool_choice !== null) {
    const c = t.tool_choice;
    out.tool_choice =
      isRecord(c) && c.type === 'function' && isRecord(c.function) ? { type: 'function', name: c.function.name } : c;
  }
  return out;
}

function responsesParameters(p: Json): Json {
  const out: Json = { ...p };
  for (const k of ['max_tokens', 'max_completion_tokens']) {
    if (k in out) {
      if (!('max_output_tokens' in out)) out.max_output_tokens = out[k];
      delete out[k];
    }
  }
  return out;
}

// ---- Anthropic messages

function anthropicImage(url: string): Json {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m
    ? { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } }
    : { type: 'image', source: { type: 'url', url } };
}

function anthropicContent(m: Json): Json[] {
  const out: Json[] = [];
  for (const p of partsOf(m.content)) {
    if (p.type === undefined || p.type === 'text') {
      if (typeof p.text === 'string') out.push({ type: 'text', text: p.text });
    } else if (p.type === 'image_url') {
      const url = imageUrlOf(p);
      if (url) out.push(anthropicImage(url));
    } else out.push(p);
  }
  for (const c of toolCallsOf(m)) {
    let input: unknown;
    try {
      input =
        typeof c.function?.arguments === 'string'
          ? JSON.parse(c.function.arguments || '{}')
          : (c.function?.arguments ?? {});
    } catch {
      input = {};
    }
    out.push({ type: 'tool_use', id: c.id ?? '', name: c.function?.name ?? '', input });
  }
  return out;
}

function anthropicMessages(messages: Json[]): { system?: string; messages: Json[] } {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content));
  const out: Json[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    if (m.role === 'tool' || m.role === 'function') {
      out.push({
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: typeof m.tool_call_id === 'string' ? m.tool_call_id : '',
            content: textOf(m.content),
          },
        ],
      });
    } else out.push({ role: m.role === 'assistant' ? 'assistant' : 'user', content: anthropicContent(m) });
  }
  return { ...(system.length > 0 ? { system: system.join('\n\n') } : {}), messages: out };
}

function anthropicTools(t: Json): Json {
  const tools = arr(t.tools)
    .filter(isRecord)
    .map((tool) =>
      tool.type === 'function' && isRecord(tool.function)
        ? {
            name: tool.function.name,
            description: tool.function.description,
            input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
          }
        : tool,
    );
  const out: Json = tools.length > 0 ? { tools } : {};
  const c = t.tool_choice;
  if (c === 'auto' || c === 'required' || c === 'none') out.tool_choice = { type: c === 'required' ? 'any' : c };
  else if (isRecord(c) && c.type === 'function' && isRecord(c.function))
    out.tool_choice = { type: 'tool', name: c.function.name };
  return out;
}

/**
 * The provider request for the template, or null with a note when there is no provider (no `metadata.model` and no
 * `provider` in the fetch) or Strata does not build requests for it. Model parameters (with the fetch's overrides on
 * top) are spread last, so they win over the fields built from the template, as in PromptLayer.
 */
export function buildLlmKwargs(req: LlmKwargsRequest, variables: Json): LlmKwargsResult {
  const provider = req.provider ?? req.model?.provider;
  if (!provider)
    return {
      llm_kwargs: null,
      notes: ['the template has no metadata.model.provider and the request named no provider'],
    };
  const t = isRecord(req.template) ? req.template : {};
  const name = req.modelName ?? req.model?.name;
  const model = typeof name === 'string' && name !== '' ? { model: name } : {};
  const parameters = {
    ...(isRecord(req.model?.parameters) ? req.model.parameters : {}),
    ...(req.parameterOverrides ?? {}),
  };
  const chat = t.type === 'chat';
  const messages = chat ? expandPlaceholders(arr(t.messages).filter(isRecord), variables) : [];
  const completionText = chat ? '' : textOf(t.content);

  if (OPENAI_PROVIDERS.has(provider)) {
    const apiType = openAiApiType(req.model);
    if (apiType === 'responses') {
      if (!chat) return { llm_kwargs: null, notes: ['the OpenAI responses API takes chat templates only'] };
      return {
        llm_kwargs: {
          input: responsesInput(messages),
          ...model,
          ...responsesTools(t),
          ...responsesParameters(parameters),
        },
        notes: [],
      };
    }
    if (apiType === 'images')
      return {
        llm_kwargs: {
          prompt: chat ? messages.map((m) => textOf(m.content)).join('\n') : completionText,
          ...model,
          ...parameters,
        },
        notes: [],
      };
    if (!chat) return { llm_kwargs: { prompt: completionText, ...model, ...parameters }, notes: [] };
    return {
      llm_kwargs: { messages: messages.map(openAiChatMessage), ...model, ...chatTools(t), ...parameters },
      notes: [],
    };
  }
  if (provider === 'anthropic') {
    const maxTokens = { max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS };
    if (!chat) {
      const { max_tokens, ...rest } = parameters;
      return {
        llm_kwargs: {
          prompt: `\n\nHuman: ${completionText}\n\nAssistant:`,
          ...model,
          max_tokens_to_sample: max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          ...rest,
        },
        notes: [],
      };
    }
    return {
      llm_kwargs: { ...anthropicMessages(messages), ...model, ...maxTokens, ...anthropicTools(t), ...parameters },
      notes: [],
    };
  }
  return {
    llm_kwargs: null,
    notes: [`Strata builds llm_kwargs for openai, openai.azure and anthropic; not for provider "${provider}"`],
  };
}
