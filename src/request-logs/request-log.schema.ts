// The wire shapes of request-log ingestion: PromptLayer's /log-request body and the SDK's track calls. The one source
// of their validation, OpenAPI and the service input types (RequestLogService takes their `z.infer` types).
import { z } from 'zod';
import { MAX_INT32 } from '../input-limits.js';

const Blueprint = z
  .looseObject({ type: z.enum(['chat', 'completion']) })
  .describe('Prompt blueprint: {type:"chat", messages} or {type:"completion", content}');
const Time = z
  .union([z.number().min(0), z.string().min(1).max(64)])
  .describe('Unix seconds (fractional allowed) or ISO 8601');
export const Status = z.enum(['SUCCESS', 'WARNING', 'ERROR']);
/** Metadata keys of up to 1,024 characters; the UTF-8 bound keeps a key plus its value inside one PostgreSQL btree entry. */
const MAX_METADATA_KEY = 1024;
const MetadataKey = z
  .string()
  .min(1)
  .max(MAX_METADATA_KEY)
  .refine(
    (k) => Buffer.byteLength(k, 'utf8') <= MAX_METADATA_KEY,
    `metadata keys must be at most ${MAX_METADATA_KEY} bytes of UTF-8 (${MAX_METADATA_KEY} ASCII characters)`,
  );
const Metadata = z
  .record(MetadataKey, z.string().max(10_000))
  .describe('String keys (up to 1,024 characters) and string values');

export const LogRequestBody = z.object({
  provider: z.string().min(1).max(256),
  model: z.string().min(1).max(512),
  input: Blueprint,
  output: Blueprint,
  request_start_time: Time,
  request_end_time: Time,
  parameters: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string().min(1).max(256)).max(100).nullish(),
  metadata: Metadata.nullish(),
  prompt_name: z.string().min(1).max(512).nullish(),
  prompt_id: z.number().int().min(1).nullish(),
  prompt_version_number: z.number().int().min(1).max(MAX_INT32).nullish(),
  prompt_input_variables: z.record(z.string(), z.unknown()).nullish(),
  input_tokens: z.number().int().min(0).max(MAX_INT32).nullish(),
  output_tokens: z.number().int().min(0).max(MAX_INT32).nullish(),
  price: z.number().min(0).max(1e12).nullish(),
  function_name: z.string().max(512).nullish(),
  score: z.number().min(0).max(100).nullish(),
  score_name: z.string().max(256).nullish(),
  api_type: z.string().max(256).nullish(),
  status: Status.nullish().describe('Default SUCCESS'),
  error_type: z.string().max(256).nullish(),
  error_message: z.string().max(100_000).nullish(),
  group_id: z.number().int().min(1).nullish(),
});

/** PromptLayer documents request_id as an integer or a string (of digits). */
const RequestId = z.union([
  z.number().int().min(1),
  z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a request id')
    .transform(Number),
]);
export const TrackMetadataBody = z.object({ request_id: RequestId, metadata: Metadata });
export const TrackScoreBody = z.object({
  request_id: RequestId,
  score: z.number().min(0).max(100),
  name: z.string().min(1).max(256).nullish(),
});
export const TrackPromptBody = z.object({
  request_id: RequestId,
  prompt_name: z.string().min(1).max(512),
  prompt_input_variables: z.record(z.string(), z.unknown()).nullish(),
  version: z.number().int().min(1).max(MAX_INT32).nullish(),
  label: z.string().min(1).max(256).nullish(),
});
export const TrackGroupBody = z.object({ request_id: RequestId, group_id: z.number().int().min(1) });

/** A log to store: the /log-request body, plus the OpenTelemetry ids of the call (set by /track-request). */
export type LogRequestInput = z.infer<typeof LogRequestBody> & { span_id?: string | null; trace_id?: string | null };
export type TrackPromptInput = z.infer<typeof TrackPromptBody>;
