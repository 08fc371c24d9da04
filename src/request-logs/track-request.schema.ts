// The wire shape of PromptLayer's /track-request (what the SDK wrappers post after each provider call): the one source
// of its validation, OpenAPI and TrackRequestService's input type.
import { z } from 'zod';
import { MAX_INT32 } from '../input-limits.js';
import { Hex } from '../traces/span.schema.js';

const Time = z
  .union([z.number().min(0), z.string().min(1).max(64)])
  .describe('Unix seconds (the Python SDK) or ISO 8601 (the JS SDK); no offset means UTC');

// Loose: the SDKs add fields over time (args, return_prompt_blueprint, ...); unknown ones are accepted and ignored.
export const TrackRequestBody = z.looseObject({
  api_key: z.string().optional().describe('The SDK sends its API key here'),
  function_name: z
    .string()
    .min(1)
    .max(512)
    .describe('e.g. openai.chat.completions.create, openai.responses.create, anthropic.messages.create'),
  provider_type: z.string().min(1).max(256).nullish(),
  args: z.array(z.unknown()).nullish(),
  kwargs: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('The provider request (a call made without arguments sends none)'),
  // Any JSON: a response Strata cannot read (e.g. "" from the JS SDK for a stream it could not assemble) is logged
  // without output rather than refused, because a refusal makes the SDK throw in the app after the model answered.
  request_response: z.unknown().optional().describe('The provider response (for a stream, what the SDK assembled)'),
  request_start_time: Time,
  request_end_time: Time,
  tags: z.array(z.string().min(1).max(256)).max(100).nullish(),
  metadata: z.record(z.string().min(1).max(1024), z.string().max(10_000)).nullish(),
  prompt_id: z.number().int().min(1).nullish(),
  prompt_version: z.number().int().min(1).max(MAX_INT32).nullish(),
  prompt_input_variables: z.record(z.string(), z.unknown()).nullish(),
  group_id: z.number().int().min(1).nullish(),
  return_pl_id: z.boolean().nullish(),
  return_prompt_blueprint: z.boolean().nullish(),
  span_id: Hex(16).nullish(),
  trace_id: Hex(32).nullish(),
  score: z
    .number()
    .min(0)
    .max(100)
    .nullish()
    .describe('0 without score_name is the Python SDK default and means "not scored"'),
  score_name: z.string().max(256).nullish(),
  api_type: z.string().max(256).nullish(),
  price: z.number().min(0).max(1e12).nullish(),
  status: z.enum(['SUCCESS', 'WARNING', 'ERROR']).nullish(),
  error_type: z.string().max(256).nullish(),
  error_message: z.string().max(100_000).nullish(),
});

export type TrackRequestInput = z.infer<typeof TrackRequestBody>;
