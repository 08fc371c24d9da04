// The wire shape of one span as PromptLayer's /spans-bulk takes it (and the OTLP decoder produces it): the one source
// of its validation, OpenAPI and TraceService's SpanInput.
import { z } from 'zod';

/** Spans in one /spans-bulk body (the SDK exports each span as it ends, so real batches are small). */
export const MAX_SPANS_PER_REQUEST = 1000;

/** An OpenTelemetry id: trace ids are 32 hex characters, span ids 16. */
export const Hex = (len: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${len}}$`), `must be ${len} hexadecimal characters`);
const Nanos = z.union([z.string().regex(/^\d{1,22}$/, 'must be nanoseconds since the epoch'), z.number().min(0)]);

export const Span = z.looseObject({
  name: z.string().min(1).max(1024),
  context: z.looseObject({ trace_id: Hex(32), span_id: Hex(16), trace_state: z.string().max(4096).nullish() }),
  kind: z.string().max(64).nullish(),
  parent_id: Hex(16).nullish(),
  start_time: Nanos,
  end_time: Nanos,
  status: z
    .looseObject({ status_code: z.string().max(64).nullish(), description: z.string().max(10_000).nullish() })
    .nullish(),
  attributes: z.record(z.string().max(1024), z.unknown()).nullish(),
  events: z.array(z.unknown()).max(1000).nullish(),
  links: z.array(z.unknown()).max(1000).nullish(),
  resource: z.record(z.string(), z.unknown()).nullish(),
});

export type SpanInput = z.infer<typeof Span>;
