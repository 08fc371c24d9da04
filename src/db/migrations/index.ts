// The ordered list of migrations. Add new ones at the end; never edit a migration that has shipped.
import type { Migration } from 'kysely';
import * as core from './20261122_0001_core.js';
import * as webhooks from './20261122_0004_webhooks.js';

export const migrations: Record<string, Migration> = {
  '20261122_0001_core': core,
  '20261122_0004_webhooks': webhooks,
};
