// The typed schema of a dataset group (Nebius column types): checking cells against it and inferring it from data.
import type { FieldIssue } from '../errors.js';
import { LosslessNumber } from './lossless-json.js';

export const PRIMITIVE_TYPES = ['string', 'integer', 'boolean', 'float', 'double', 'json', 'null'] as const;
export type PrimitiveTypeName = (typeof PRIMITIVE_TYPES)[number];
export type ColumnType = { name: PrimitiveTypeName } | { name: 'option'; item: ColumnType };
export interface ColumnSchema {
  name: string;
  type: ColumnType;
}

/** True when the type accepts null (option of anything, `null` itself, and `json`, whose null is JSON's null). */
export function isNullable(t: ColumnType): boolean {
  return t.name === 'option' || t.name === 'null' || t.name === 'json';
}

/** The innermost non-option type (`option<option<integer>>` → integer). */
export function baseType(t: ColumnType): Exclude<ColumnType, { name: 'option' }> {
  return t.name === 'option' ? baseType(t.item) : t;
}

const MESSAGES: Record<PrimitiveTypeName, { msg: string; type: string }> = {
  string: { msg: 'Input should be a valid string', type: 'string_type' },
  integer: { msg: 'Input should be a valid integer', type: 'int_type' },
  boolean: { msg: 'Input should be a valid boolean', type: 'bool_type' },
  float: { msg: 'Input should be a valid number', type: 'float_type' },
  double: { msg: 'Input should be a valid number', type: 'float_type' },
  json: { msg: 'Input should be a valid JSON value', type: 'json_type' },
  null: { msg: 'Input should be None', type: 'none_required' },
};

const NOT_FINITE = { msg: 'Input should be a finite number', type: 'finite_number' };

/** True when a number inside the value is NaN or infinite; walks without recursion (values may nest deeply). */
function hasNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push(x);
    }
  }
  return false;
}

/** Checks one cell; returns the problem (FastAPI wording) or undefined when the value fits. No coercion: "1" is not an integer. */
export function checkCell(t: ColumnType, value: unknown): { msg: string; type: string } | undefined {
  if (t.name === 'option') return value === null ? undefined : checkCell(t.item, value);
  switch (t.name) {
    case 'string':
      return typeof value === 'string' ? undefined : MESSAGES.string;
    case 'integer':
      if (value instanceof LosslessNumber)
        return { msg: 'Input should be an integer between -(2^53-1) and 2^53-1', type: 'int_range' };
      if (typeof value === 'number' && Number.isFinite(value)) {
        if (!Number.isInteger(value))
          return {
            msg: 'Input should be a valid integer, got a number with a fractional part',
            type: 'int_from_float',
          };
        if (!Number.isSafeInteger(value))
          return { msg: 'Input should be an integer between -(2^53-1) and 2^53-1', type: 'int_range' };
        return undefined;
      }
      return MESSAGES.integer;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : MESSAGES.boolean;
    case 'float':
    case 'double':
      // A big integer literal is a valid float (pydantic converts it); it is stored as its digits.
      if (value instanceof LosslessNumber) return undefined;
      if (typeof value !== 'number') return MESSAGES[t.name];
      return Number.isFinite(value) ? undefined : NOT_FINITE;
    case 'json':
      if (value === undefined) return MESSAGES.json;
      // NaN and ±Infinity (which Python's json reads) have no JSON form to store or export.
      return hasNonFinite(value) ? NOT_FINITE : undefined;
    case 'null':
      return value === null ? undefined : MESSAGES.null;
  }
}

/**
 * Checks rows (objects) against a schema and returns every problem with its path `[...pathPrefix, rowIndex, column]`:
 * bad cells, unknown columns (extra_forbidden) and missing columns that are not nullable (missing).
 * A missing nullable column is read as null. Stops after `maxIssues` problems.
 */
export function checkRows(
  schema: ColumnSchema[],
  rows: Array<Record<string, unknown>>,
  pathPrefix: Array<string | number>,
  maxIssues = Infinity,
  firstIndex = 0,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = new Set(schema.map((c) => c.name));
  for (let i = 0; i < rows.length && issues.length < maxIssues; i++) {
    const row = rows[i];
    for (const col of schema) {
      const path = [...pathPrefix, firstIndex + i, col.name];
      if (!Object.prototype.hasOwnProperty.call(row, col.name)) {
        if (!isNullable(col.type)) issues.push({ type: 'missing', path, message: 'Field required', input: row });
        continue;
      }
      const problem = checkCell(col.type, row[col.name]);
      if (problem) issues.push({ type: problem.type, path, message: problem.msg, input: row[col.name] });
    }
    for (const key of Object.keys(row)) {
      if (!known.has(key))
        issues.push({
          type: 'extra_forbidden',
          path: [...pathPrefix, firstIndex + i, key],
          message: 'Extra inputs are not permitted',
          input: row[key],
        });
    }
  }
  return issues.slice(0, maxIssues);
}

/** Cells of a row object in schema order (missing nullable columns become null). */
export function cellsInSchemaOrder(schema: ColumnSchema[], row: Record<string, unknown>): unknown[] {
  return schema.map((c) => (Object.prototype.hasOwnProperty.call(row, c.name) ? row[c.name] : null));
}

type Seen = 'none' | 'string' | 'integer' | 'double' | 'boolean' | 'json';

/** Builds a schema from values as they stream by: one observation per cell, then `schema()`. */
export class SchemaInferrer {
  private readonly seen: Seen[] = [];
  private readonly nullable: boolean[] = [];
  private rowsSeen = 0;

  /** `cells` aligned with the reader's columns (a shorter row means trailing nulls). */
  observe(cells: unknown[], columnCount: number): void {
    this.rowsSeen++;
    for (let i = 0; i < columnCount; i++) {
      const v = i < cells.length ? cells[i] : null;
      if (this.seen[i] === undefined) {
        this.seen[i] = 'none';
        // A column first seen after some rows was missing (null) in those rows.
        this.nullable[i] = this.rowsSeen > 1;
      }
      if (v === null || v === undefined) {
        this.nullable[i] = true;
        continue;
      }
      const kind: Seen =
        typeof v === 'string'
          ? 'string'
          : typeof v === 'boolean'
            ? 'boolean'
            : typeof v === 'number'
              ? Number.isSafeInteger(v)
                ? 'integer'
                : 'double'
              : 'json'; // 1e308 is no INT64
      const prev = this.seen[i];
      if (prev === 'none' || prev === kind) this.seen[i] = kind;
      else if ((prev === 'integer' && kind === 'double') || (prev === 'double' && kind === 'integer'))
        this.seen[i] = 'double';
      else this.seen[i] = 'json';
    }
  }

  schema(columns: string[]): ColumnSchema[] {
    return columns.map((name, i) => {
      const seen = this.seen[i] ?? 'none';
      if (seen === 'none') return { name, type: { name: 'null' } };
      const base: ColumnType = { name: seen };
      // json already admits null; everything else becomes option<...> when a null was seen.
      return { name, type: this.nullable[i] && seen !== 'json' ? { name: 'option', item: base } : base };
    });
  }
}

/** A readable one-line form of a type, for error messages: option<integer>. */
export function typeLabel(t: ColumnType): string {
  return t.name === 'option' ? `option<${typeLabel(t.item)}>` : t.name;
}
