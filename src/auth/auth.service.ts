// Use cases of authentication: API keys, users, login tokens, and the first-start bootstrap.
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { ApiKeyRow } from '../db/schema.js';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-format.js';
import type { AuthRepository } from './auth.repository.js';
import type { Caller } from './caller.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const DEFAULT_WORKSPACE = 'default';
const TOUCH_EVERY_MS = 60_000;
/**
 * How long a process reuses an API key's successful lookup (the ingestion hot path would otherwise query the key on
 * every request). A revocation made through this process takes effect at once; one made through another process
 * (another API process, the CLI) within this bound.
 */
export const API_KEY_CACHE_MS = 1_000;

export interface ApiKeyView {
  id: number;
  name: string;
  prefix: string;
  workspace_id: number;
  created_at: string;
  last_used_at: string | null;
  revoked: boolean;
}

export function presentApiKey(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    workspace_id: row.workspace_id,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    revoked: row.revoked_at !== null,
  };
}

export class AuthService {
  private jwtKey: Uint8Array | undefined;
  private readonly lastTouched = new Map<number, number>();
  /** Callers of recently verified keys, by key hash, with the time they were looked up. */
  private readonly verified = new Map<string, { caller: Caller; at: number }>();
  /** Bumped by every revocation: a lookup that started before one must not cache what it read. */
  private revocations = 0;

  constructor(
    private readonly repo: AuthRepository,
    private readonly opts: { jwtSecret?: string; jwtTtlSeconds: number },
  ) {}

  /** Loads (or creates once, shared through the database) the JWT signing secret. */
  async init(): Promise<void> {
    const secret =
      this.opts.jwtSecret ?? (await this.repo.putSettingIfAbsent('jwt_secret', randomBytes(32).toString('base64url')));
    this.jwtKey = new TextEncoder().encode(secret);
  }

  /**
   * Ensures workspace `default`. Returns a freshly made key when the workspace had none (first start), else null.
   * Safe when several processes start at once on a fresh database: every step is an insert-if-absent, and only the
   * process that wins the `bootstrap_first_key` setting makes (and prints) the first key.
   */
  async bootstrap(bootstrapKey?: string): Promise<{ workspaceId: number; newKey: string | null }> {
    const ws = await this.repo.ensureWorkspace(DEFAULT_WORKSPACE);
    if (bootstrapKey) {
      const hash = hashApiKey(bootstrapKey);
      await this.repo.insertApiKeyIfAbsent({
        workspaceId: ws.id,
        userId: null,
        name: 'bootstrap',
        prefix: displayPrefix(bootstrapKey),
        keyHash: hash,
      });
      return { workspaceId: ws.id, newKey: null };
    }
    if ((await this.repo.listApiKeys(ws.id)).length > 0) return { workspaceId: ws.id, newKey: null };
    const claim = randomBytes(16).toString('hex');
    if ((await this.repo.putSettingIfAbsent('bootstrap_first_key', claim)) !== claim)
      return { workspaceId: ws.id, newKey: null };
    const { key } = await this.createApiKey(ws.id, 'first key', null);
    return { workspaceId: ws.id, newKey: key };
  }

  async createApiKey(
    workspaceId: number,
    name: string,
    userId: number | null,
  ): Promise<{ key: string; row: ApiKeyRow }> {
    const key = generateApiKey();
    const row = await this.repo.insertApiKey({
      workspaceId,
      userId,
      name,
      prefix: displayPrefix(key),
      keyHash: hashApiKey(key),
    });
    return { key, row };
  }

  async createApiKeyInWorkspace(workspaceName: string, name: string): Promise<{ key: string; row: ApiKeyRow }> {
    const ws = await this.repo.ensureWorkspace(workspaceName);
    return this.createApiKey(ws.id, name, null);
  }

  async listApiKeys(caller: Caller): Promise<ApiKeyRow[]> {
    return this.repo.listApiKeys(caller.workspaceId);
  }

  async revokeApiKey(caller: Caller, id: number): Promise<ApiKeyRow> {
    const row = await this.repo.findApiKey(id);
    if (!row || !caller.workspaceIds.includes(row.workspace_id)) throw new NotFoundError('API key', id);
    await this.repo.revokeApiKey(id);
    this.revocations++;
    this.verified.clear();
    return (await this.repo.findApiKey(id)) ?? row;
  }

  async authenticateApiKey(key: string): Promise<Caller | null> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = this.verified.get(hash);
    if (hit && now - hit.at < API_KEY_CACHE_MS) return { ...hit.caller, workspaceIds: [...hit.caller.workspaceIds] };
    const revocations = this.revocations;
    const row = await this.repo.findApiKeyByHash(hash);
    if (!row || row.revoked_at !== null) {
      this.verified.delete(hash);
      return null;
    }
    if (now - (this.lastTouched.get(row.id) ?? 0) > TOUCH_EVERY_MS) {
      this.lastTouched.set(row.id, now);
      await this.repo.touchApiKey(row.id, now);
    }
    const caller: Caller = {
      via: 'api_key',
      workspaceId: row.workspace_id,
      workspaceIds: [row.workspace_id],
      userId: row.user_id,
      apiKeyId: row.id,
    };
    // Bounded: entries of keys no longer used are dropped rather than kept forever.
    if (this.verified.size >= 10_000) this.verified.clear();
    if (revocations === this.revocations) this.verified.set(hash, { caller, at: now });
    return caller;
  }

  async authenticateJwt(token: string, requestedWorkspace?: number): Promise<Caller> {
    if (!this.jwtKey) throw new Error('AuthService.init() was not called');
    let userId: number;
    try {
      const { payload } = await jwtVerify(token, this.jwtKey, { algorithms: ['HS256'], issuer: 'strata' });
      userId = Number(payload.sub);
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthorizedError('token expired: sign in again');
      throw new UnauthorizedError('invalid token');
    }
    const user = await this.repo.findUser(userId);
    if (!user) throw new UnauthorizedError('invalid token: the user no longer exists');
    const workspaceIds = await this.repo.workspaceIdsOf(userId);
    if (workspaceIds.length === 0) throw new ForbiddenError('this user belongs to no workspace');
    let workspaceId = workspaceIds[0];
    if (requestedWorkspace !== undefined) {
      if (!workspaceIds.includes(requestedWorkspace))
        throw new ForbiddenError(`you are not a member of workspace ${requestedWorkspace}`);
      workspaceId = requestedWorkspace;
    }
    return { via: 'jwt', workspaceId, workspaceIds, userId, apiKeyId: null };
  }

  async login(email: string, password: string): Promise<{ token: string; expiresIn: number; userId: number }> {
    const user = await this.repo.findUserByEmail(email);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok) throw new UnauthorizedError('wrong email or password');
    if (!this.jwtKey) throw new Error('AuthService.init() was not called');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuer('strata')
      .setIssuedAt()
      .setExpirationTime(`${this.opts.jwtTtlSeconds}s`)
      .sign(this.jwtKey);
    return { token, expiresIn: this.opts.jwtTtlSeconds, userId: user.id };
  }

  /** Creates the user (or, if the email exists, adds them to the workspace) — used by `strata users create`. */
  async createUser(
    email: string,
    password: string,
    workspaceName: string,
  ): Promise<{ userId: number; workspaceId: number; created: boolean }> {
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`not an email address: ${email}`);
    if (password.length < 8) throw new ValidationError('password must be at least 8 characters');
    const ws = await this.repo.ensureWorkspace(workspaceName);
    const existing = await this.repo.findUserByEmail(email);
    if (existing) {
      await this.repo.addMember(ws.id, existing.id);
      return { userId: existing.id, workspaceId: ws.id, created: false };
    }
    const user = await this.repo.insertUser(email, await hashPassword(password));
    await this.repo.addMember(ws.id, user.id, 'owner');
    return { userId: user.id, workspaceId: ws.id, created: true };
  }

  async me(caller: Caller) {
    const workspaces = await this.repo.listWorkspaces(caller.workspaceIds);
    const user = caller.userId ? await this.repo.findUser(caller.userId) : undefined;
    return {
      user: user ? { id: user.id, email: user.email } : null,
      via: caller.via,
      workspace_id: caller.workspaceId,
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
    };
  }

  async listMembers(caller: Caller) {
    return this.repo.listMembers(caller.workspaceId);
  }

  async ensureUniqueEmail(email: string): Promise<void> {
    if (await this.repo.findUserByEmail(email)) throw new ConflictError(`a user with email ${email} exists`);
  }
}

// scrypt hash of a random password, used only to spend the same time on unknown emails.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
