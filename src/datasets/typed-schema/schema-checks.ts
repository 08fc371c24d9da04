// Checks of a typed schema as given by a client: at least one column, at most MAX_COLUMNS, names non-empty and unique.
import type { FieldIssue } from '../../errors.js';
import { MAX_COLUMNS } from '../../input-limits.js';
import type { ColumnSchema } from '../column-types.js';
import { MAX_NAME_CHARS } from '../dataset-names.js';
import { listTooShort, stringTooLong, valueError } from '../field-issues.js';

/** Problems with the schema, at paths ['schema', ...]. */
export function checkSchema(schema: ColumnSchema[]): FieldIssue[] {
  if (schema.length === 0) return [listTooShort(['schema'], 1, schema)];
  if (schema.length > MAX_COLUMNS) {
    // Strata's own bound (documented), in pydantic's words for a list that is too long; the list itself is not echoed.
    return [
      {
        type: 'too_long',
        path: ['schema'],
        message: `List should have at most ${MAX_COLUMNS} items after validation, not ${schema.length} (Strata's limit is ${MAX_COLUMNS} columns)`,
        input: `[${schema.length} columns]`,
        ctx: { field_type: 'List', max_length: MAX_COLUMNS, actual_length: schema.length },
      },
    ];
  }
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  schema.forEach((c, i) => {
    const path = ['schema', i, 'name'];
    if (c.name.trim() === '') issues.push(valueError(path, 'column name must not be empty', c.name));
    else if (c.name.length > MAX_NAME_CHARS) issues.push(stringTooLong(path, MAX_NAME_CHARS, c.name));
    else if (seen.has(c.name)) issues.push(valueError(path, `duplicate column name "${c.name}"`, c.name));
    seen.add(c.name);
  });
  return issues;
}
