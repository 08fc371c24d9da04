// Which version of a group the datasets list shows: one being processed, else the newest published, else the draft.
import type { Dataset } from './types';

export function latestVersionByGroup(versions: Dataset[]): Map<number, Dataset> {
  const out = new Map<number, Dataset>();
  const rank = (d: Dataset) => (d.status === 'processing' ? 3 : d.version_number > 0 ? 2 : 1);
  for (const d of versions) {
    const cur = out.get(d.dataset_group_id);
    if (!cur || rank(d) > rank(cur) || (rank(d) === rank(cur) && d.version_number > cur.version_number))
      out.set(d.dataset_group_id, d);
  }
  return out;
}
