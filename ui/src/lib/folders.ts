// Folder grouping of dataset groups: the name's prefix before the last "/" (a dataset group has no folder field).
import type { DatasetGroup } from './types';

export interface Folder<G> {
  folder: string;
  groups: G[];
}

export function folderOf(g: Pick<DatasetGroup, 'name'>): string {
  const i = g.name.lastIndexOf('/');
  return i > 0 ? g.name.slice(0, i) : '';
}

/** Folders in alphabetical order, the unfiled groups ("") first; groups keep their given order inside a folder. */
export function groupByFolder<G extends Pick<DatasetGroup, 'name'>>(groups: G[]): Array<Folder<G>> {
  const byFolder = new Map<string, G[]>();
  for (const g of groups) {
    const f = folderOf(g);
    const list = byFolder.get(f);
    if (list) list.push(g);
    else byFolder.set(f, [g]);
  }
  return [...byFolder.entries()]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map(([folder, gs]) => ({ folder, groups: gs }));
}
