// What a dataset build from request logs needs, as stored in its job payload (plain JSON, no functions).
import type { FilterGroup, LegacyFilter } from './log-filter.schema.js';
import type { LogOrder } from './request-log.repository.js';
import type { ColumnOptions } from './dataset-columns.js';

export interface BuildSpec {
  workspaceId: number;
  source: { kind: 'ids'; ids: number[] } | { kind: 'filter'; legacy: LegacyFilter; filterGroup?: FilterGroup };
  /** Most rows the version gets (0..50,000). */
  limit: number;
  order: LogOrder;
  columns: ColumnOptions;
  /** The JSON stored as the version's `filter_params` (null for an id snapshot). */
  filterParams: string | null;
}
