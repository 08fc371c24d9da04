// The documented limits on hostile input (nesting depth, NUL, column count, indexed string sizes) and the one
// iterative walker that checks a value against them: used at the HTTP door and by every file import.

/** Deepest nesting of arrays/objects accepted anywhere (request bodies, queries, imported cells). */
export const MAX_DEPTH = 100;
/** Most columns a dataset version may have (file imports, Nebius schemas and rows). */
export const MAX_COLUMNS = 10_000;
/**
 * Largest UTF-8 size of a name stored in an indexed column (dataset group / Nebius dataset names), and of a request
 * log's metadata key and value together (both sit in one index entry). PostgreSQL's btree entries stop near
 * 2,700 bytes; SQLite has no such limit, so without these the same input passed on one database and 500ed on the other.
 */
export const MAX_INDEXED_BYTES = 2_400;
/** Largest value of a PostgreSQL `integer` column (token counts, version numbers, ids). */
export const MAX_INT32 = 2_147_483_647;
/** Largest id accepted in paths and bodies: ids are 32-bit integers on PostgreSQL. */
export const MAX_ID = MAX_INT32;

export type ValueProblem =
  | { kind: 'nul'; path: Array<string | number> }
  | { kind: 'depth'; path: Array<string | number> }
  | { kind: 'proto'; path: Array<string | number> };

/**
 * The first problem inside `value`: a NUL character in a string or key (at any depth), nesting deeper than
 * `maxDepth`, or (with `refuseProto`) a `__proto__` key. Walks with an explicit stack, so a value nested
 * 100,000 levels deep costs memory, not the call stack.
 */
export function findValueProblem(
  value: unknown,
  opts: { maxDepth?: number; refuseProto?: boolean } = {},
): ValueProblem | null {
  const maxDepth = opts.maxDepth ?? MAX_DEPTH;
  if (typeof value === 'string') return value.includes('\u0000') ? { kind: 'nul', path: [] } : null;
  if (value === null || typeof value !== 'object') return null;
  // Each entry: a container, its depth (1 for the top one) and a parent link to rebuild the path of a problem.
  type Frame = { v: object; depth: number; key: string | number | undefined; parent: Frame | undefined };
  const pathOf = (f: Frame | undefined, last?: string | number): Array<string | number> => {
    const out: Array<string | number> = last === undefined ? [] : [last];
    for (let p = f; p && p.key !== undefined; p = p.parent) out.unshift(p.key);
    return out;
  };
  const stack: Frame[] = [{ v: value, depth: 1, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return { kind: 'depth', path: pathOf(frame) };
    // Arrays by index (wide rows are mostly nulls: no per-cell allocation), objects by their own keys.
    const visit = (k: string | number, v: unknown): ValueProblem | null => {
      if (typeof v === 'string') return v.includes('\u0000') ? { kind: 'nul', path: pathOf(frame, k) } : null;
      if (v !== null && typeof v === 'object') stack.push({ v, depth: frame.depth + 1, key: k, parent: frame });
      return null;
    };
    if (Array.isArray(frame.v)) {
      const arr = frame.v as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (v === null || typeof v === 'number' || typeof v === 'boolean') continue;
        const p = visit(i, v);
        if (p) return p;
      }
      continue;
    }
    for (const k of Object.keys(frame.v)) {
      if (k.includes('\u0000')) return { kind: 'nul', path: pathOf(frame, k) };
      if (opts.refuseProto && k === '__proto__') return { kind: 'proto', path: pathOf(frame, k) };
      const p = visit(k, (frame.v as Record<string, unknown>)[k]);
      if (p) return p;
    }
  }
  return null;
}

/** A user-facing sentence for a problem, e.g. `strings must not contain NUL (\u0000) characters (at a.b.0)`. */
export function describeValueProblem(p: ValueProblem, maxDepth = MAX_DEPTH): string {
  const where = p.path.length > 0 ? ` (at ${p.path.slice(0, 8).join('.')}${p.path.length > 8 ? '…' : ''})` : '';
  if (p.kind === 'nul') return `strings must not contain NUL (\\u0000) characters${where}`;
  if (p.kind === 'proto') return `the key "__proto__" is not allowed${where}`;
  return `values may be nested at most ${maxDepth} levels deep${where}`;
}

/** True when `s` fits an indexed column (a cheap bound first: most strings are far below the limit). */
export function fitsIndex(...parts: string[]): boolean {
  const chars = parts.reduce((n, p) => n + p.length, 0);
  return (
    chars * 3 <= MAX_INDEXED_BYTES || parts.reduce((n, p) => n + Buffer.byteLength(p, 'utf8'), 0) <= MAX_INDEXED_BYTES
  );
}

/** The first metadata pair too large for the metadata index, as a message; null when all fit. */
export function oversizedMetadata(metadata: Record<string, string> | null | undefined): string | null {
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (!fitsIndex(k, v))
      return `metadata "${k.slice(0, 40)}${k.length > 40 ? '…' : ''}": key and value together are at most ${MAX_INDEXED_BYTES} bytes of UTF-8`;
  }
  return null;
}
