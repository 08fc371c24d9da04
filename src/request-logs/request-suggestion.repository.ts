// SQL of filter-value suggestions: distinct existing values of a request-log field that start with a prefix.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { likeContains, type DialectCapabilities } from '../db/dialect.js';

/** Fields whose values come straight from one column of request_logs. */
export type LogColumnField = 'model' | 'provider' | 'prompt_name' | 'status';

export class RequestSuggestionRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  /** `likeContains` escapes wildcards and wraps in %…%; dropping the leading % makes it a prefix match. */
  private prefixPattern(prefix: string): string {
    return likeContains(prefix).slice(1);
  }

  async columnValues(workspaceId: number, column: LogColumnField, prefix: string, limit: number): Promise<string[]> {
    let q = this.db
      .selectFrom('request_logs')
      .select(sql<string>`${sql.ref(column)}`.as('v'))
      .distinct()
      .where('workspace_id', '=', workspaceId)
      .where(column, 'is not', null);
    if (prefix) q = q.where(this.dialect.ilike(sql.ref(column), this.prefixPattern(prefix)));
    const rows = await q.orderBy('v').limit(limit).execute();
    return rows.map((r) => String(r.v));
  }

  async tags(workspaceId: number, prefix: string, limit: number): Promise<string[]> {
    let q = this.db.selectFrom('request_log_tags').select('tag').distinct().where('workspace_id', '=', workspaceId);
    if (prefix) q = q.where(this.dialect.ilike(sql.ref('tag'), this.prefixPattern(prefix)));
    const rows = await q.orderBy('tag').limit(limit).execute();
    return rows.map((r) => r.tag);
  }

  async metadataKeys(workspaceId: number, prefix: string, limit: number): Promise<string[]> {
    let q = this.db.selectFrom('request_log_metadata').select('key').distinct().where('workspace_id', '=', workspaceId);
    if (prefix) q = q.where(this.dialect.ilike(sql.ref('key'), this.prefixPattern(prefix)));
    const rows = await q.orderBy('key').limit(limit).execute();
    return rows.map((r) => r.key);
  }

  async metadataValues(workspaceId: number, key: string, prefix: string, limit: number): Promise<string[]> {
    let q = this.db
      .selectFrom('request_log_metadata')
      .select('value')
      .distinct()
      .where('workspace_id', '=', workspaceId)
      .where('key', '=', key);
    if (prefix) q = q.where(this.dialect.ilike(sql.ref('value'), this.prefixPattern(prefix)));
    const rows = await q.orderBy('value').limit(limit).execute();
    return rows.map((r) => r.value);
  }
}
