// The documented limits on hostile input (nesting depth, NUL, column count, indexed string sizes) and the one
// iterative walker that checks a value against them: used at the HTTP door and by every file import.

/** Deepest nesting of arrays/objects accepted anywhere (request bodies, queries, imported cells). */
export const MAX_DEPTH = 100;
/** Most columns a dataset version may have (file imports, Nebius schemas and rows). */
export const MAX_COLUMNS = 10_000;
/** Largest UTF-8 size of a string stored in an indexed column (PostgreSQL's btree entries stop near 2,700 bytes). */
export const MAX_INDEXED_BYTES = 1_000;
/** Largest id accepted in paths and bodies: ids are 32-bit integers on PostgreSQL. */
export const MAX_ID = 2_147_483_647;

export type ValueProblem = { kind: 'nul'; path: Array<string | number> } | { kind: 'depth'; path: Array<string | number> } | { kind: 'proto'; path: Array<string | number> };

/**
 * The first problem inside `value`: a NUL character in a string or key (at any depth), nesting deeper than
 * `maxDepth`, or (with `refuseProto`) a `__proto__` key. Walks with an explicit stack, so a value nested
 * 100,000 levels deep costs memory, not the call stack.
 */
export function findValueProblem(value: unknown, opts: { maxDepth?: number; refuseProto?: boolean } = {}): ValueProblem | null {
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
    const entries: Array<[string | number, unknown]> = Array.isArray(frame.v) ? frame.v.map((v, i) => [i, v]) : Object.entries(frame.v);
    for (const [k, v] of entries) {
      if (typeof k === 'string') {
        if (k.includes('\u0000')) return { kind: 'nul', path: pathOf(frame, k) };
        if (opts.refuseProto && k === '__proto__') return { kind: 'proto', path: pathOf(frame, k) };
      }
      if (typeof v === 'string') {
        if (v.includes('\u0000')) return { kind: 'nul', path: pathOf(frame, k) };
      } else if (v !== null && typeof v === 'object') {
        stack.push({ v, depth: frame.depth + 1, key: k, parent: frame });
      }
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

/** UTF-8 size of a string (cheap upper bound first: most strings are far below the limit). */
export function utf8Bytes(s: string): number {
  return s.length * 3 <= MAX_INDEXED_BYTES ? s.length : Buffer.byteLength(s, 'utf8');
}
