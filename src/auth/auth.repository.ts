// All SQL for workspaces, users, memberships, API keys and settings.
import type { Db, Executor } from '../db/database.js';
import type { ApiKeyRow, UserRow, WorkspaceRow } from '../db/schema.js';

export class AuthRepository {
  constructor(private readonly db: Db) {}

  async findWorkspaceByName(name: string, ex: Executor = this.db): Promise<WorkspaceRow | undefined> {
    return ex.selectFrom('workspaces').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async findWorkspace(id: number): Promise<WorkspaceRow | undefined> {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listWorkspaces(ids: number[]): Promise<WorkspaceRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('workspaces').selectAll().where('id', 'in', ids).orderBy('id').execute();
  }

  /** Returns the workspace, creating it if needed (safe against a concurrent creator). */
  async ensureWorkspace(name: string): Promise<WorkspaceRow> {
    const existing = await this.findWorkspaceByName(name);
    if (existing) return existing;
    await this.db
      .insertInto('workspaces')
      .values({ name, created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.findWorkspaceByName(name);
    if (!row) throw new Error(`workspace ${name} could not be created`);
    return row;
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async findUser(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertUser(email: string, passwordHash: string): Promise<UserRow> {
    return this.db
      .insertInto('users')
      .values({ email: email.toLowerCase(), password_hash: passwordHash, created_at: Date.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateUserPassword(id: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  }

  async addMember(workspaceId: number, userId: number, role = 'member'): Promise<void> {
    await this.db
      .insertInto('workspace_members')
      .values({ workspace_id: workspaceId, user_id: userId, role, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
      .execute();
  }

  async workspaceIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('workspace_members')
      .select('workspace_id')
      .where('user_id', '=', userId)
      .orderBy('workspace_id')
      .execute();
    return rows.map((r) => r.workspace_id);
  }

  async listMembers(
    workspaceId: number,
  ): Promise<Array<{ id: number; email: string; role: string; created_at: number }>> {
    return this.db
      .selectFrom('workspace_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'm.role', 'm.created_at'])
      .where('m.workspace_id', '=', workspaceId)
      .orderBy('u.id')
      .execute();
  }

  async insertApiKey(k: {
    workspaceId: number;
    userId: number | null;
    name: string;
    prefix: string;
    keyHash: string;
  }): Promise<ApiKeyRow> {
    return this.db
      .insertInto('api_keys')
      .values({
        workspace_id: k.workspaceId,
        user_id: k.userId,
        name: k.name,
        prefix: k.prefix,
        key_hash: k.keyHash,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('key_hash').doNothing())
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Inserts the key unless one with its hash exists (another process may be inserting it at the same moment). */
  async insertApiKeyIfAbsent(k: {
    workspaceId: number;
    userId: number | null;
    name: string;
    prefix: string;
    keyHash: string;
  }): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        workspace_id: k.workspaceId,
        user_id: k.userId,
        name: k.name,
        prefix: k.prefix,
        key_hash: k.keyHash,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('key_hash').doNothing())
      .execute();
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
  }

  async listApiKeys(workspaceId: number): Promise<ApiKeyRow[]> {
    return this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .execute();
  }

  async findApiKey(id: number): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async revokeApiKey(id: number): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: Date.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async touchApiKey(id: number, at: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  /** Stores the value unless one exists; returns whichever value won. */
  async putSettingIfAbsent(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getSetting(key)) ?? value;
  }
}
