// Turns request-log rows into PromptLayer's wire shapes.
import type { RequestLogRow } from '../../db/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentRequestLog(r: RequestLogRow) {
  return {
    id: r.id,
    provider: r.provider,
    model: r.model,
    input: JSON.parse(r.input) as Record<string, unknown>,
    output: JSON.parse(r.output) as Record<string, unknown>,
    input_text: r.input_text,
    output_text: r.output_text,
    parameters: JSON.parse(r.parameters) as Record<string, unknown>,
    request_start_time: iso(r.request_start_time),
    request_end_time: iso(r.request_end_time),
    latency_ms: r.latency_ms,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    price: r.price,
    status: r.status,
    error_type: r.error_type,
    error_message: r.error_message,
    function_name: r.function_name,
    api_type: r.api_type,
    tags: JSON.parse(r.tags) as string[],
    metadata: JSON.parse(r.metadata) as Record<string, string>,
    scores: JSON.parse(r.scores) as Record<string, number>,
    score: r.score,
    is_starred: r.starred === 1,
    group_id: r.group_id,
    prompt_name: r.prompt_name,
    prompt_id: r.prompt_id,
    prompt_version_number: r.prompt_version_number,
    prompt_input_variables: JSON.parse(r.prompt_input_variables) as Record<string, unknown>,
    created_at: iso(r.created_at),
  };
}

/** The blueprint the SDK's logRequest() returns as `prompt_version`: the logged input plus the model that ran it. */
export function presentPromptVersion(r: RequestLogRow) {
  return {
    prompt_template: JSON.parse(r.input) as Record<string, unknown>,
    metadata: { model: { provider: r.provider, name: r.model, parameters: JSON.parse(r.parameters) as Record<string, unknown> } },
  };
}
