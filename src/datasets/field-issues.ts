// The field issues the dataset core reports, in pydantic's vocabulary (types, messages, ctx) so every face can show them.
import type { FieldIssue } from '../errors.js';

type Path = FieldIssue['path'];

/** A check of Strata's own: type `value_error` with the reason in `ctx.error` (pydantic's shape for a validator's error). */
export function valueError(path: Path, message: string, input: unknown): FieldIssue {
  return { path, type: 'value_error', message, input, ctx: { error: message } };
}

export function stringTooShort(path: Path, min: number, input: string): FieldIssue {
  const s = min === 1 ? '' : 's';
  return {
    type: 'string_too_short',
    path,
    message: `String should have at least ${min} character${s}`,
    input,
    ctx: { min_length: min },
  };
}

export function stringTooLong(path: Path, max: number, input: string): FieldIssue {
  return {
    type: 'string_too_long',
    path,
    message: `String should have at most ${max} characters`,
    input,
    ctx: { max_length: max },
  };
}

/** A list shorter than `min` items (pydantic's `too_short`). */
export function listTooShort(path: Path, min: number, input: unknown[]): FieldIssue {
  return {
    type: 'too_short',
    path,
    message: `List should have at least ${min} item${min === 1 ? '' : 's'} after validation, not ${input.length}`,
    input,
    ctx: { field_type: 'List', min_length: min, actual_length: input.length },
  };
}
