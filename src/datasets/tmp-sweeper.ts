// Removes temporary upload files (`*.part` under the data dir's tmp/) that a killed process left behind.
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Deletes `*.part` files in `dir` not modified for `maxAgeMs`. An upload in progress keeps writing its file (and
 * removes it when done), so only left-overs of a crash are that old. Returns how many files went.
 */
export async function sweepTemporaryUploads(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0; // no tmp dir yet
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const file = path.join(dir, name);
    try {
      const st = await fsp.stat(file);
      if (!st.isFile() || now - st.mtimeMs < maxAgeMs) continue;
      await fsp.rm(file, { force: true });
      removed++;
    } catch {
      // Gone in the meantime (its upload finished): nothing to do.
    }
  }
  return removed;
}
