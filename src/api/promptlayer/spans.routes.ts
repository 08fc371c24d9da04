// PromptLayer's tracing endpoints: /spans-bulk (the JS SDK's span exporter, X-API-KEY) and GET /traces/{trace_id}.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import type { SpanRow } from '../../db/schema.js';
import { Hex, MAX_SPANS_PER_REQUEST, Span } from '../../traces/span.schema.js';
import type { TraceService } from '../../traces/trace.service.js';
import { errorResponses } from './common.schemas.js';

const SpansBulkBody = z.looseObject({ spans: z.array(Span).min(1).max(MAX_SPANS_PER_REQUEST) });

const iso = (ms: number) => new Date(ms).toISOString();

function presentSpan(s: SpanRow, requestLogId?: number) {
  return {
    id: s.id,
    name: s.name,
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_id: s.parent_id,
    kind: s.kind,
    start_time: iso(s.start_time),
    end_time: iso(s.end_time),
    start_time_ns: s.start_time_ns,
    end_time_ns: s.end_time_ns,
    status: { status_code: s.status_code, description: s.status_description },
    attributes: s.attributes,
    events: s.events,
    links: s.links,
    resource: s.resource,
    request_log_id: requestLogId ?? null,
  };
}

const SpanOut = z.record(z.string(), z.unknown());

export async function spanRoutes(app: FastifyInstance, opts: { traces: TraceService }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/spans-bulk', {
    config: { auth: 'api_key' },
    schema: {
      tags: ['tracing'],
      summary: `Store exported spans (at most ${MAX_SPANS_PER_REQUEST}; a span id already stored is kept) and link request logs tracked with their span ids`,
      body: SpansBulkBody,
      response: {
        201: z.object({
          success: z.boolean(),
          spans: z.array(z.object({ id: z.number(), name: z.string(), span_id: z.string() })),
          request_logs: z.array(z.object({ id: z.number(), span_id: z.string() })),
        }),
        ...errorResponses(400, 401, 413),
      },
    },
    handler: async (req, reply) => {
      const { spans, requestLogs } = await opts.traces.ingest(callerOf(req), req.body.spans);
      return reply.code(201).send({
        success: true,
        spans: spans.map((s) => ({ id: s.id, name: s.name, span_id: s.span_id })),
        request_logs: requestLogs,
      });
    },
  });

  r.get('/api/public/v2/traces/:trace_id', {
    schema: {
      tags: ['tracing'],
      summary: 'The spans of one trace, oldest first; spans that tracked a request log carry request_log_id',
      params: z.object({ trace_id: Hex(32) }),
      response: {
        200: z.object({ success: z.boolean(), trace_id: z.string(), spans: z.array(SpanOut) }),
        ...errorResponses(400, 401, 404),
      },
    },
    handler: async (req) => {
      const { spans, logIds } = await opts.traces.getTrace(callerOf(req), req.params.trace_id);
      return {
        success: true,
        trace_id: req.params.trace_id.toLowerCase(),
        spans: spans.map((s) => presentSpan(s, logIds.get(s.span_id))),
      };
    },
  });
}
