// Picks the mapper for a tracked call by the SDK's `function_name` (e.g. `openai.chat.completions.create`,
// `openai.OpenAI.responses.create` from Python, `anthropic.messages.create`); unknown calls keep their text as completions.
import { fromAnthropicMessages } from './anthropic-messages.js';
import { arr, contentBlocks, count, obj, parametersOf, str, type Json, type ProviderLog } from './blueprint.js';
import { fromOpenAiChat } from './openai-chat.js';
import { fromOpenAiResponses } from './openai-responses.js';

export type { ProviderLog } from './blueprint.js';

/** Legacy text completions and calls Strata has no mapper for: the prompt and reply text, whatever was found. */
function fromOtherCall(kwargs: Json, response: Json, apiType: string): ProviderLog {
  const choice = obj(arr(response.choices)[0]);
  const reply = str(choice.text) ?? str(response.completion) ?? str(obj(choice.message).content) ?? '';
  const usage = obj(response.usage);
  return {
    model: str(response.model) || str(kwargs.model) || 'unknown',
    input: { type: 'completion', content: contentBlocks(kwargs.prompt) } as unknown as ProviderLog['input'],
    output: { type: 'completion', content: contentBlocks(reply) } as unknown as ProviderLog['output'],
    parameters: parametersOf(kwargs, ['prompt']),
    input_tokens: count(usage.prompt_tokens ?? usage.input_tokens),
    output_tokens: count(usage.completion_tokens ?? usage.output_tokens),
    api_type: apiType,
  };
}

const MAPPERS: Array<[RegExp, (kwargs: Json, response: Json) => ProviderLog]> = [
  [/(^|\.)chat\.completions\.(create|parse)$/, fromOpenAiChat],
  [/(^|\.)responses\.(create|parse)$/, fromOpenAiResponses],
  [/(^|\.)messages\.(create|stream)$/, fromAnthropicMessages],
];

export function providerLogOf(functionName: string, kwargs: unknown, response: unknown): ProviderLog {
  const mapper = MAPPERS.find(([re]) => re.test(functionName))?.[1];
  const k = obj(kwargs);
  const r = obj(response);
  return mapper ? mapper(k, r) : fromOtherCall(k, r, functionName.split('.').slice(-2, -1)[0] ?? 'other');
}
