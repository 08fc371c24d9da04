// All SQL of webhooks: endpoints, the delivery outbox, and the per-endpoint lease the dispatcher sends under.
import { sql } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';
import { decodeJson } from '../db/json-columns.js';
import type {
  StoredWebhookEndpointRow,
  WebhookDeliveryRow,
  WebhookDeliveryStatus,
  WebhookEndpointRow,
} from '../db/schema.js';

/** An endpoint as read, its event filter decoded. */
const decodeEndpoint = <R extends Pick<StoredWebhookEndpointRow, 'events'>>(
  r: R,
): Omit<R, 'events'> & { events: string[] } => ({
  ...r,
  events: decodeJson<string[]>(r.events),
});

export interface NewEndpoint {
  workspaceId: number;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  createdBy: number | null;
}

export type EndpointPatch = Partial<
  Pick<
    WebhookEndpointRow,
    | 'url'
    | 'description'
    | 'events'
    | 'secret'
    | 'enabled'
    | 'disabled_reason'
    | 'disabled_at'
    | 'consecutive_failures'
    | 'retry_at'
  >
>;

export interface NewDelivery {
  endpoint_id: number;
  workspace_id: number;
  event_id: string;
  event_type: string;
  payload: string;
}

export class WebhookRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  // ---- endpoints

  async insertEndpoint(e: NewEndpoint): Promise<WebhookEndpointRow> {
    const now = Date.now();
    return this.db
      .insertInto('webhook_endpoints')
      .values({
        workspace_id: e.workspaceId,
        url: e.url,
        description: e.description,
        events: JSON.stringify(e.events),
        secret: e.secret,
        created_by: e.createdBy,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .then(decodeEndpoint);
  }

  async findEndpoint(id: number, ex: Executor = this.db): Promise<WebhookEndpointRow | undefined> {
    const row = await ex.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && decodeEndpoint(row);
  }

  async listEndpoints(workspaceId: number): Promise<WebhookEndpointRow[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute()
      .then((rows) => rows.map(decodeEndpoint));
  }

  async updateEndpoint(
    id: number,
    patch: EndpointPatch,
    ex: Executor = this.db,
  ): Promise<WebhookEndpointRow | undefined> {
    const { events, ...rest } = patch;
    const row = await ex
      .updateTable('webhook_endpoints')
      .set({ ...rest, ...(events !== undefined ? { events: JSON.stringify(events) } : {}), updated_at: Date.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && decodeEndpoint(row);
  }

  async deleteEndpoint(ex: Executor, id: number): Promise<void> {
    await ex.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    await ex.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  }

  /** Enabled endpoints of a workspace, read inside the transaction that records an event. */
  async enabledEndpoints(ex: Executor, workspaceId: number): Promise<Array<Pick<WebhookEndpointRow, 'id' | 'events'>>> {
    return ex
      .selectFrom('webhook_endpoints')
      .select(['id', 'events'])
      .where('workspace_id', '=', workspaceId)
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute()
      .then((rows) => rows.map(decodeEndpoint));
  }

  // ---- deliveries (the outbox)

  async insertDeliveries(ex: Executor, rows: NewDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    const now = Date.now();
    await ex
      .insertInto('webhook_deliveries')
      .values(rows.map((r) => ({ ...r, status: 'pending' as const, created_at: now, updated_at: now })))
      .execute();
  }

  async listDeliveries(
    endpointId: number,
    q: { status?: WebhookDeliveryStatus; offset: number; limit: number },
  ): Promise<{ rows: WebhookDeliveryRow[]; total: number }> {
    let base = this.db.selectFrom('webhook_deliveries').where('endpoint_id', '=', endpointId);
    if (q.status) base = base.where('status', '=', q.status);
    const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    return { rows, total: Number(count.n) };
  }

  /** Removes succeeded and failed deliveries last touched before `before` (pending ones are never removed). */
  async purgeFinishedDeliveries(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('webhook_deliveries')
      .where('status', 'in', ['succeeded', 'failed'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- dispatching

  /** Leases one enabled endpoint that has pending deliveries and is not backing off, or returns undefined. */
  async claimEndpoint(workerId: string, leaseMs: number, exclude: number[]): Promise<WebhookEndpointRow | undefined> {
    const now = Date.now();
    const lock = this.dialect.supportsSkipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const notIn = exclude.length > 0 ? sql`AND e.id NOT IN (${sql.join(exclude)})` : sql``;
    const result = await sql<StoredWebhookEndpointRow>`
      UPDATE webhook_endpoints SET lease_until = ${now + leaseMs}, locked_by = ${workerId}
      WHERE id IN (
        SELECT e.id FROM webhook_endpoints e
        WHERE e.enabled = 1
          AND (e.retry_at IS NULL OR e.retry_at <= ${now})
          AND (e.lease_until IS NULL OR e.lease_until < ${now})
          ${notIn}
          AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending')
        ORDER BY e.id
        LIMIT 1 ${lock}
      )
      RETURNING *`.execute(this.db);
    return result.rows[0] && decodeEndpoint(result.rows[0]);
  }

  /** Extends the lease and returns the endpoint as it is now; undefined when the lease was lost or the endpoint deleted. */
  async renewLease(id: number, workerId: string, leaseMs: number): Promise<WebhookEndpointRow | undefined> {
    const row = await this.db
      .updateTable('webhook_endpoints')
      .set({ lease_until: Date.now() + leaseMs })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .returningAll()
      .executeTakeFirst();
    return row && decodeEndpoint(row);
  }

  async releaseLease(id: number, workerId: string): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ lease_until: null, locked_by: null })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** The oldest pending delivery of an endpoint: the only one that may be sent (order per endpoint). */
  async headDelivery(endpointId: number): Promise<WebhookDeliveryRow | undefined> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
  }

  /** Inside a transaction: true when `workerId` still holds the endpoint's lease (locks the row on PostgreSQL). */
  async holdsLease(ex: Executor, id: number, workerId: string): Promise<boolean> {
    let q = ex.selectFrom('webhook_endpoints').select('id').where('id', '=', id).where('locked_by', '=', workerId);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  }

  async updateDelivery(
    ex: Executor,
    id: number,
    patch: Partial<
      Pick<
        WebhookDeliveryRow,
        | 'status'
        | 'attempts'
        | 'last_status_code'
        | 'last_error'
        | 'first_attempt_at'
        | 'last_attempt_at'
        | 'next_attempt_at'
        | 'delivered_at'
      >
    >,
  ): Promise<void> {
    await ex
      .updateTable('webhook_deliveries')
      .set({ ...patch, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }
}
