// Who is calling: resolved once per request by the auth hook, passed to every service method.
import { ValidationError } from '../errors.js';

export interface Caller {
  via: 'api_key' | 'jwt';
  /** The workspace this request acts in. */
  workspaceId: number;
  /** Every workspace the caller may act in (an API key: just its own). */
  workspaceIds: number[];
  userId: number | null;
  apiKeyId: number | null;
}

/** The workspace a request names (`workspace_id`), checked against the caller's; the caller's own when none is named. */
export function resolveWorkspace(caller: Caller, requested?: number | null): number {
  if (requested === undefined || requested === null) return caller.workspaceId;
  if (!caller.workspaceIds.includes(requested)) {
    throw new ValidationError(`workspace_id ${requested} is not a workspace you have access to`);
  }
  return requested;
}

export function canAccessWorkspace(caller: Caller, workspaceId: number): boolean {
  return caller.workspaceIds.includes(workspaceId);
}
