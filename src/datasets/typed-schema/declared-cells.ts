// A file's rows checked against a declared typed schema (S3 imports, multipart uploads): CSV text read as the declared
// types, each row's cells put in schema order, a mismatch failing the import with the row and its problems.
import { PermanentJobError } from '../../errors.js';
import type { FileFormat } from '../../jobs/job-catalogue.js';
import { baseType, cellsInSchemaOrder, checkRows, type ColumnSchema, type ColumnType } from '../column-types.js';
import { parseLossless } from '../lossless-json.js';

/** At most this many schema problems are listed in the error. */
const MAX_SCHEMA_ISSUES = 5;

/** CSV cells are text: with a declared schema they are read as that type ("" is null for nullable columns). */
function fromText(t: ColumnType, text: unknown): unknown {
  if (typeof text !== 'string') return text;
  if (text === '' && (t.name === 'option' || t.name === 'null')) return null;
  const b = baseType(t);
  switch (b.name) {
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'float':
    case 'double':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return /^(true|false)$/i.test(text.trim()) ? text.trim().toLowerCase() === 'true' : text;
    case 'json':
      try {
        return parseLossless(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * One file row checked against a declared schema (CSV text read as the declared types), as cells in schema order;
 * a mismatch fails the import naming the row and up to MAX_SCHEMA_ISSUES problems.
 */
export function declaredCells(
  declared: ColumnSchema[],
  names: string[],
  cells: unknown[],
  format: FileFormat,
  where: string,
): unknown[] {
  const obj: Record<string, unknown> = {};
  names.forEach((n, j) => {
    if (j < cells.length) obj[n] = cells[j];
  });
  if (format === 'csv') for (const c of declared) if (c.name in obj) obj[c.name] = fromText(c.type, obj[c.name]);
  const issues = checkRows(declared, [obj], [], MAX_SCHEMA_ISSUES);
  if (issues.length > 0) {
    const list = issues.map((i) => `column "${i.path[1]}": ${i.message}`).join('; ');
    throw new PermanentJobError(`schema mismatch in ${where}: ${list}`);
  }
  return cellsInSchemaOrder(declared, obj);
}
