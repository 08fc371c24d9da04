// OTLP/HTTP trace ingestion at POST /v1/traces (PromptLayer's route; what OpenTelemetry's OTLPSpanExporter posts, e.g.
// the Python SDK with enable_tracing): protobuf or JSON, optionally gzip. Spans land where /spans-bulk puts them.
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth-hook.js';
import { PayloadTooLargeError, ValidationError } from '../../errors.js';
import { refuseHostileValue } from '../../http/reject-nul.js';
import { decodeOtlpJson, decodeOtlpProtobuf } from '../../traces/otlp-decoder.js';
import type { TraceService } from '../../traces/trace.service.js';
import { MAX_SPANS_PER_REQUEST, Span } from '../../traces/span.schema.js';

const PROTOBUF = 'application/x-protobuf';

export async function otlpRoutes(
  app: FastifyInstance,
  opts: { traces: TraceService; bodyLimit: number },
): Promise<void> {
  // This plugin's own parsers (encapsulated): the body is inflated and decoded to `{spans}` before validation.
  const inflate = (req: FastifyRequest, body: Buffer): Buffer => {
    if (req.headers['content-encoding'] !== 'gzip') return body;
    try {
      return gunzipSync(body, { maxOutputLength: opts.bodyLimit });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new PayloadTooLargeError(`the inflated body exceeds ${opts.bodyLimit} bytes`);
      throw new ValidationError('the body is not valid gzip');
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (req, body, done) => {
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(inflate(req, body as Buffer).toString('utf8'));
      } catch (err) {
        if (err instanceof PayloadTooLargeError || err instanceof ValidationError) throw err;
        throw new ValidationError('the body is not valid JSON');
      }
      // The decoder keeps only spans, so the door's NUL/depth check must see the body as sent, here.
      refuseHostileValue('body', parsed);
      done(null, { spans: decodeOtlpJson(parsed) });
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (req, body, done) => {
    try {
      done(null, { spans: decodeOtlpProtobuf(inflate(req, body as Buffer)) });
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.withTypeProvider<ZodTypeProvider>().post('/v1/traces', {
    config: { auth: 'api_key' },
    schema: {
      tags: ['tracing'],
      summary: `OTLP/HTTP trace export (protobuf or JSON, gzip allowed; at most ${MAX_SPANS_PER_REQUEST} spans); stored and linked as /spans-bulk does`,
      body: z.object({ spans: z.array(Span).max(MAX_SPANS_PER_REQUEST) }),
    },
    handler: async (req, reply) => {
      if (req.body.spans.length > 0) await opts.traces.ingest(callerOf(req), req.body.spans);
      // An empty ExportTraceServiceResponse: zero protobuf bytes, or `{}` in JSON.
      if (req.headers['content-type']?.startsWith(PROTOBUF))
        return reply.code(200).type(PROTOBUF).send(Buffer.alloc(0));
      return reply.code(200).send({});
    },
  });
}
