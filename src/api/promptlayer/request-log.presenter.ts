// Turns request-log rows into PromptLayer's wire shapes: Strata's full log object, and the documented shapes of
// GET /requests/{id} (top level) and of /requests/search items, which keep Strata's fields beside them.
import type { RequestLogRow } from '../../db/schema.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function presentRequestLog(r: RequestLogRow) {
  return {
    id: r.id,
    provider: r.provider,
    model: r.model,
    input: r.input,
    output: r.output,
    input_text: r.input_text,
    output_text: r.output_text,
    parameters: r.parameters,
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
    tags: r.tags,
    metadata: r.metadata,
    scores: r.scores,
    score: r.score,
    is_starred: r.starred === 1,
    group_id: r.group_id,
    prompt_name: r.prompt_name,
    prompt_id: r.prompt_id,
    prompt_version_number: r.prompt_version_number,
    prompt_input_variables: r.prompt_input_variables,
    created_at: iso(r.created_at),
    trace_id: r.trace_id,
    span_id: r.span_id,
  };
}

type Blueprint = { type?: string; messages?: unknown[] } & Record<string, unknown>;

/**
 * PromptLayer's prompt blueprint of a logged request: the input with the response appended as its last message(s)
 * (chat), as `run()` returns it; a completion keeps its input. `metadata.model` names what ran it.
 */
export function presentPromptBlueprint(r: RequestLogRow) {
  const input = r.input as Blueprint;
  const output = r.output as Blueprint;
  const chat =
    input.type === 'chat' && Array.isArray(input.messages) && output.type === 'chat' && Array.isArray(output.messages);
  return {
    prompt_template: chat ? { ...input, messages: [...input.messages!, ...output.messages!] } : input,
    metadata: {
      model: { provider: r.provider, name: r.model, parameters: r.parameters },
    },
    inference_client_name: null,
  };
}

/** GET /requests/{id}: PromptLayer's documented top-level fields, plus Strata's full log as `request`. */
export function presentRequestDetail(r: RequestLogRow) {
  return {
    success: true as const,
    prompt_blueprint: presentPromptBlueprint(r),
    request_id: r.id,
    provider: r.provider,
    model: r.model,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    tokens: r.input_tokens + r.output_tokens,
    price: r.price,
    request_start_time: iso(r.request_start_time),
    request_end_time: iso(r.request_end_time),
    latency_ms: r.latency_ms,
    trace_id: r.trace_id,
    request: presentRequestLog(r),
  };
}

/**
 * A /requests/search item: PromptLayer's documented fields (`engine`, `provider_type`, `latency` in seconds,
 * `tags_array`, `metadata` and `scores` as lists) over Strata's log object. Where a name clashes (`metadata`,
 * `scores`) the documented form wins and Strata's maps stay as `metadata_map` / `scores_map`.
 */
export function presentSearchItem(r: RequestLogRow) {
  const log = presentRequestLog(r);
  return {
    ...log,
    engine: r.model,
    provider_type: r.provider,
    latency: r.latency_ms / 1000,
    tags_array: log.tags,
    metadata: Object.keys(log.metadata).length > 0 ? [log.metadata] : [],
    scores: Object.entries(log.scores).map(([name, score]) => ({ name, score })),
    metadata_map: log.metadata,
    scores_map: log.scores,
  };
}

/** The blueprint the SDK's logRequest() returns as `prompt_version`: the logged input plus the model that ran it. */
export function presentPromptVersion(r: RequestLogRow) {
  return {
    prompt_template: r.input,
    metadata: {
      model: { provider: r.provider, name: r.model, parameters: r.parameters },
    },
  };
}
