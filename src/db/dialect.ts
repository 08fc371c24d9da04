// The few places where SQLite and PostgreSQL differ, behind named capabilities (see STYLE.md §6).
import { sql, type RawBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectCapabilities {
  readonly name: DialectName;
  /** `FOR UPDATE SKIP LOCKED` lets several workers share a queue; SQLite serialises writers instead. */
  readonly supportsSkipLocked: boolean;
  /** Case-insensitive substring match of a text expression. */
  ilike(expr: RawBuilder<unknown> | string, pattern: string): RawBuilder<boolean>;
  /** Largest number of bound parameters one statement may carry. */
  readonly maxParams: number;
  /** True when the error is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /** The JSON text of element `index` of a JSON-array text column, normalised; a missing element reads as `null`. */
  jsonArrayItem(column: string, index: number): RawBuilder<string>;
  /** The JSON-array text column without element `index` (later elements move up). */
  jsonArrayRemove(column: string, index: number): RawBuilder<string>;
}

export function capabilitiesFor(name: DialectName): DialectCapabilities {
  const ref = (e: RawBuilder<unknown> | string) => (typeof e === 'string' ? sql.ref(e) : e);
  if (name === 'postgres') {
    return {
      name,
      supportsSkipLocked: true,
      ilike: (e, p) => sql<boolean>`${ref(e)} ILIKE ${p}`,
      maxParams: 60000,
      isUniqueViolation: (err) => (err as { code?: string })?.code === '23505',
      jsonArrayItem: (c, i) => sql<string>`coalesce((${sql.ref(c)}::jsonb -> ${sql.lit(i)})::text, 'null')`,
      jsonArrayRemove: (c, i) => sql<string>`(${sql.ref(c)}::jsonb - ${sql.lit(i)})::text`,
    };
  }
  return {
    name,
    supportsSkipLocked: false,
    // SQLite's LIKE is case-insensitive for ASCII already.
    ilike: (e, p) => sql<boolean>`${ref(e)} LIKE ${p} ESCAPE '\\'`,
    maxParams: 30000,
    isUniqueViolation: (err) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((err as { code?: string })?.code)),
    // `->` returns minified JSON text (so 1 and "1" differ, objects compare by content).
    jsonArrayItem: (c, i) => sql<string>`coalesce(${sql.ref(c)} -> ${sql.lit(i)}, 'null')`,
    jsonArrayRemove: (c, i) => sql<string>`json_remove(${sql.ref(c)}, ${`$[${i}]`})`,
  };
}

/** Escapes LIKE wildcards so a user's search text matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
