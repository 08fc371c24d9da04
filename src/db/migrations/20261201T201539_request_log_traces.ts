// Request logs carry the OpenTelemetry trace and span they belong to (PromptLayer's `trace_id` on GET /requests/{id}).
// Frozen in time: uses Kysely<any> only and never imports application code.
import type { Kysely } from 'kysely';

type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('request_logs').addColumn('trace_id', 'text').execute();
  await db.schema.alterTable('request_logs').addColumn('span_id', 'text').execute();
  await db.schema
    .createIndex('request_logs_ws_trace')
    .on('request_logs')
    .columns(['workspace_id', 'trace_id'])
    .execute();
  await db.schema.createIndex('request_logs_ws_span').on('request_logs').columns(['workspace_id', 'span_id']).execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('request_logs_ws_span').ifExists().execute();
  await db.schema.dropIndex('request_logs_ws_trace').ifExists().execute();
  await db.schema.alterTable('request_logs').dropColumn('span_id').execute();
  await db.schema.alterTable('request_logs').dropColumn('trace_id').execute();
}
