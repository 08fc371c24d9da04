// All SQL of tracing spans: idempotent bulk insert, reads by trace, and the span_id links to request logs.
import type { Db, Executor } from '../db/database.js';
import { decodeJson } from '../db/json-columns.js';
import type { NewSpan, SpanRow, StoredSpanRow } from '../db/schema.js';

/** A span as read, with the SDK's objects decoded. */
const decodeSpan = (r: StoredSpanRow): SpanRow => ({
  ...r,
  attributes: decodeJson<Record<string, unknown>>(r.attributes),
  events: decodeJson<unknown[]>(r.events),
  links: decodeJson<unknown[]>(r.links),
  resource: decodeJson<Record<string, unknown>>(r.resource),
});

export class TraceRepository {
  constructor(private readonly db: Db) {}

  /** Inserts spans; a (workspace, span_id) already stored is left as it is (a re-export is the same span). */
  async insertSpans(ex: Executor, spans: NewSpan[]): Promise<void> {
    for (const span of spans) {
      await ex
        .insertInto('spans')
        .values(span)
        .onConflict((oc) => oc.columns(['workspace_id', 'span_id']).doNothing())
        .execute();
    }
  }

  async findBySpanIds(workspaceId: number, spanIds: string[]): Promise<SpanRow[]> {
    if (spanIds.length === 0) return [];
    return this.db
      .selectFrom('spans')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('span_id', 'in', spanIds)
      .execute()
      .then((rows) => rows.map(decodeSpan));
  }

  async traceIdOfSpan(workspaceId: number, spanId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('spans')
      .select('trace_id')
      .where('workspace_id', '=', workspaceId)
      .where('span_id', '=', spanId)
      .executeTakeFirst();
    return row?.trace_id;
  }

  async spansOfTrace(workspaceId: number, traceId: string): Promise<SpanRow[]> {
    return this.db
      .selectFrom('spans')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('trace_id', '=', traceId)
      .orderBy('start_time')
      .orderBy('id')
      .execute()
      .then((rows) => rows.map(decodeSpan));
  }

  /** Gives the logs tracked with these spans their trace id; returns the linked logs. */
  async linkLogsToSpans(
    workspaceId: number,
    links: Array<{ spanId: string; traceId: string }>,
  ): Promise<Array<{ id: number; span_id: string }>> {
    const linked: Array<{ id: number; span_id: string }> = [];
    for (const { spanId, traceId } of links) {
      await this.db
        .updateTable('request_logs')
        .set({ trace_id: traceId })
        .where('workspace_id', '=', workspaceId)
        .where('span_id', '=', spanId)
        .where((eb) => eb.or([eb('trace_id', 'is', null), eb('trace_id', '<>', traceId)]))
        .execute();
    }
    const spanIds = links.map((l) => l.spanId);
    if (spanIds.length === 0) return linked;
    const rows = await this.db
      .selectFrom('request_logs')
      .select(['id', 'span_id'])
      .where('workspace_id', '=', workspaceId)
      .where('span_id', 'in', spanIds)
      .orderBy('id')
      .execute();
    for (const r of rows) if (r.span_id) linked.push({ id: r.id, span_id: r.span_id });
    return linked;
  }

  async setLogTrace(workspaceId: number, logId: number, traceId: string): Promise<void> {
    await this.db
      .updateTable('request_logs')
      .set({ trace_id: traceId })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', logId)
      .execute();
  }

  /** Request log ids per span id of one trace (for GET /traces/{id}). */
  async logIdsOfTrace(workspaceId: number, traceId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('request_logs')
      .select(['id', 'span_id'])
      .where('workspace_id', '=', workspaceId)
      .where('trace_id', '=', traceId)
      .orderBy('id')
      .execute();
    const out = new Map<string, number>();
    for (const r of rows) if (r.span_id && !out.has(r.span_id)) out.set(r.span_id, r.id);
    return out;
  }
}
