// Suggestions for request-log filter values (PromptLayer's GET /requests/suggestions): existing values, so a typo shows.
import type { Caller } from '../auth/caller.js';
import { ValidationError } from '../errors.js';
import type { LogColumnField, RequestSuggestionRepository } from './request-suggestion.repository.js';

export const SUGGESTION_FIELDS = [
  'engine',
  'provider_type',
  'prompt',
  'tags',
  'metadata_keys',
  'metadata_values',
  'status',
] as const;
export type SuggestionField = (typeof SUGGESTION_FIELDS)[number];

/** PromptLayer's field names for the request_logs columns they read. */
const COLUMN_OF: Partial<Record<SuggestionField, LogColumnField>> = {
  engine: 'model',
  provider_type: 'provider',
  prompt: 'prompt_name',
  status: 'status',
};

export class RequestSuggestionService {
  constructor(private readonly repo: RequestSuggestionRepository) {}

  async suggest(
    caller: Caller,
    input: { field: SuggestionField; prefix?: string; metadata_key?: string; limit: number },
  ): Promise<string[]> {
    const prefix = input.prefix ?? '';
    const ws = caller.workspaceId;
    const column = COLUMN_OF[input.field];
    if (column) return this.repo.columnValues(ws, column, prefix, input.limit);
    if (input.field === 'tags') return this.repo.tags(ws, prefix, input.limit);
    if (input.field === 'metadata_keys') return this.repo.metadataKeys(ws, prefix, input.limit);
    if (!input.metadata_key) throw new ValidationError('metadata_key is required when field is metadata_values');
    return this.repo.metadataValues(ws, input.metadata_key, prefix, input.limit);
  }
}
