// Editing a draft's cells and finding a group's draft: text an editor starts from, the value an edit sends, draft states.
import type { Dataset } from './types';

/** The text an inline editor starts with: strings as they are, JSON as compact JSON, null as nothing. */
export function editText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export type ParsedEdit = { ok: true; value: unknown; changed: boolean } | { ok: false; error: string };

/**
 * The value to send for edited text, keeping the cell's kind: numbers stay numbers when the text is a number,
 * booleans stay booleans for true/false, objects and arrays must stay valid JSON; everything else is text.
 * Clearing a cell that was not text gives null.
 */
export function parseEdit(text: string, original: unknown): ParsedEdit {
  const done = (value: unknown): ParsedEdit => ({ ok: true, value, changed: !sameValue(value, original) });
  if (typeof original === 'string') return done(text);
  if (text.trim() === '') return done(null);
  if (typeof original === 'number') {
    const n = Number(text.trim());
    return done(Number.isFinite(n) ? n : text);
  }
  if (typeof original === 'boolean') {
    const t = text.trim().toLowerCase();
    return done(t === 'true' ? true : t === 'false' ? false : text);
  }
  if (original !== null && typeof original === 'object') {
    try {
      return done(JSON.parse(text) as unknown);
    } catch {
      return {
        ok: false,
        error: `Not valid JSON (this cell holds ${Array.isArray(original) ? 'an array' : 'an object'}). Fix it, or press Escape to cancel.`,
      };
    }
  }
  return done(text);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}

/** The group's draft being edited, copied or saved (a group has at most one), if any. */
export function draftOf(datasets: Dataset[]): Dataset | undefined {
  return datasets
    .filter(
      (d) =>
        !d.is_deleted &&
        d.version_number < 0 &&
        (d.status === 'draft' || (d.status === 'processing' && d.origin === 'draft')),
    )
    .sort((a, b) => b.id - a.id)[0];
}

/** The empty draft every new group starts with (or one emptied): nothing to lose by replacing it. */
export function isBlankDraft(d: Dataset): boolean {
  return d.status === 'draft' && d.row_count === 0 && d.column_names.length === 0 && !d.filter_params;
}

/** What to do when create-draft answers 409 because the group has a draft already. */
export function onDraftConflict(
  existing: Dataset | undefined,
  sourceId: number | undefined,
): 'open' | 'replace' | 'refuse' {
  if (!existing) return 'refuse';
  if (!isBlankDraft(existing)) return 'refuse';
  // An empty draft is what "new empty draft" asks for; a copy of a version replaces it.
  return sourceId === undefined ? 'open' : 'replace';
}
