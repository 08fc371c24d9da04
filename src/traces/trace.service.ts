// Use cases of tracing: store the SDKs' exported spans (idempotent per workspace and span id), link request logs to
// their trace by span id whichever arrives first, and read one trace.
import type { Caller } from '../auth/caller.js';
import type { DatabaseHandle } from '../db/database.js';
import type { NewSpan, SpanRow } from '../db/schema.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors.js';
import type { SpanInput } from './span.schema.js';
import type { TraceRepository } from './trace.repository.js';

/** Attributes, events, links and resource of one span, serialised, at most this many bytes. */
export const MAX_SPAN_DETAIL_BYTES = 512 * 1024;

/** Nanoseconds since the epoch (digit string or number) → epoch ms. */
function nsToMs(v: string | number, field: string): number {
  let ms: number;
  if (typeof v === 'number') ms = Math.floor(v / 1e6);
  else if (/^\d{1,22}$/.test(v)) ms = Number(BigInt(v) / 1_000_000n);
  else throw new ValidationError(`${field} must be nanoseconds since the epoch (a digit string or number)`);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new ValidationError(`${field} is out of range`);
  return ms;
}

export class TraceService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: TraceRepository,
  ) {}

  async ingest(
    caller: Caller,
    input: SpanInput[],
  ): Promise<{ spans: SpanRow[]; requestLogs: Array<{ id: number; span_id: string }> }> {
    const now = Date.now();
    const rows: NewSpan[] = input.map((s, i) => {
      const detail = {
        attributes: JSON.stringify(s.attributes ?? {}),
        events: JSON.stringify(s.events ?? []),
        links: JSON.stringify(s.links ?? []),
        resource: JSON.stringify(s.resource ?? {}),
      };
      const bytes = Object.values(detail).reduce((n, t) => n + Buffer.byteLength(t), 0);
      if (bytes > MAX_SPAN_DETAIL_BYTES) {
        throw new PayloadTooLargeError(
          `spans.${i}: attributes, events, links and resource take ${bytes} bytes; at most ${MAX_SPAN_DETAIL_BYTES} per span`,
        );
      }
      const start = nsToMs(s.start_time, `spans.${i}.start_time`);
      const end = nsToMs(s.end_time, `spans.${i}.end_time`);
      return {
        workspace_id: caller.workspaceId,
        trace_id: s.context.trace_id.toLowerCase(),
        span_id: s.context.span_id.toLowerCase(),
        parent_id: s.parent_id ? s.parent_id.toLowerCase() : null,
        name: s.name,
        kind: s.kind ?? 'SpanKind.INTERNAL',
        start_time_ns: String(s.start_time),
        end_time_ns: String(s.end_time),
        start_time: start,
        end_time: Math.max(start, end),
        status_code: s.status?.status_code ?? 'StatusCode.UNSET',
        status_description: s.status?.description ?? null,
        ...detail,
        created_at: now,
      };
    });
    await this.dbh.transaction((trx) => this.repo.insertSpans(trx, rows));
    // Linked after the spans commit, and logs look their span up after they commit (linkLog), so either order links.
    const requestLogs = await this.repo.linkLogsToSpans(
      caller.workspaceId,
      rows.map((r) => ({ spanId: r.span_id, traceId: r.trace_id })),
    );
    const spans = await this.repo.findBySpanIds(caller.workspaceId, [...new Set(rows.map((r) => r.span_id))]);
    return { spans, requestLogs };
  }

  /** Called once a log tracked with `spanId` has committed: takes the span's trace id if the span is already stored. */
  async linkLog(workspaceId: number, logId: number, spanId: string): Promise<string | null> {
    const traceId = await this.repo.traceIdOfSpan(workspaceId, spanId);
    if (!traceId) return null;
    await this.repo.setLogTrace(workspaceId, logId, traceId);
    return traceId;
  }

  async getTrace(caller: Caller, traceId: string): Promise<{ spans: SpanRow[]; logIds: Map<string, number> }> {
    const id = traceId.toLowerCase();
    const spans = await this.repo.spansOfTrace(caller.workspaceId, id);
    if (spans.length === 0) throw new NotFoundError('trace', traceId);
    return { spans, logIds: await this.repo.logIdsOfTrace(caller.workspaceId, id) };
  }
}
