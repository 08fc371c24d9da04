// The SDK wrappers' /track-request: a provider call (kwargs + response, as the SDK sent them) becomes the same request
// log /log-request stores, through RequestLogService; a log tracked with a span id is then linked to that span's trace.
import type { Caller } from '../auth/caller.js';
import type { RequestLogRow } from '../db/schema.js';
import type { TraceService } from '../traces/trace.service.js';
import { providerLogOf } from './provider-payloads/index.js';
import type { TrackRequestInput } from './track-request.schema.js';
import type { RequestLogService } from './request-log.service.js';

/** OpenTelemetry's invalid ids are all zeros (what an SDK sends from a non-recording span when tracing is off). */
const realId = (id: string | null | undefined): string | null => (id && !/^0+$/.test(id) ? id.toLowerCase() : null);

export class TrackRequestService {
  constructor(
    private readonly logs: RequestLogService,
    private readonly traces: TraceService,
  ) {}

  async track(caller: Caller, input: TrackRequestInput): Promise<RequestLogRow> {
    const mapped = providerLogOf(input.function_name, input.kwargs, input.request_response);
    const provider = input.provider_type?.trim() || input.function_name.split('.')[0] || 'unknown';
    const failed = input.status === 'ERROR' || Boolean(input.error_type || input.error_message);
    const log = await this.logs.logRequest(caller, {
      provider,
      model: mapped.model,
      // Spread: the blueprints become plain objects, as the /log-request body's loose blueprint type reads them.
      input: { ...mapped.input },
      output: { ...mapped.output },
      // Offset-less ISO times are UTC: RequestLogService parses every time with the one ISO parser.
      request_start_time: input.request_start_time,
      request_end_time: input.request_end_time,
      parameters: mapped.parameters,
      tags: input.tags,
      metadata: input.metadata,
      prompt_id: input.prompt_id,
      prompt_version_number:
        input.prompt_id !== undefined && input.prompt_id !== null ? input.prompt_version : undefined,
      prompt_input_variables: input.prompt_input_variables,
      input_tokens: mapped.input_tokens,
      output_tokens: mapped.output_tokens,
      price: input.price,
      function_name: input.function_name,
      // The SDK default score (0 without a name) is dropped by RequestLogService, as on /log-request.
      score: input.score,
      score_name: input.score_name,
      api_type: input.api_type ?? mapped.api_type,
      status: input.status ?? (failed ? 'ERROR' : 'SUCCESS'),
      error_type: input.error_type,
      error_message: input.error_message,
      group_id: input.group_id,
      span_id: realId(input.span_id),
      trace_id: realId(input.trace_id),
    });
    if (log.span_id && !log.trace_id) {
      const traceId = await this.traces.linkLog(caller.workspaceId, log.id, log.span_id);
      if (traceId) log.trace_id = traceId;
    }
    return log;
  }
}
