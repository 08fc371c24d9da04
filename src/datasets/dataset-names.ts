// The one check of dataset names and folders; each face's service passes its rules (the faces differ on empty names and
// on a length bound in characters), and the one error for a name already taken.
import { ValidationError, type FieldIssue } from '../errors.js';
import { fitsIndex, MAX_INDEXED_BYTES } from '../input-limits.js';
import { stringTooLong, stringTooShort, valueError } from './field-issues.js';

export interface NameRules {
  /** What the face calls a dataset group, in messages ("dataset group", "dataset"). */
  noun: string;
  /** A bound in characters on the name as given (the index bound in UTF-8 bytes applies always). */
  maxChars?: number;
  /** "" is a string that is too short (pydantic's min_length 1) rather than a blank name. */
  emptyIsTooShort?: boolean;
  /** A bound in characters on the folder. */
  maxFolderChars?: number;
}

/** The PromptLayer face: names are trimmed, not blank, and fit the name index. */
export const GROUP_NAME_RULES: NameRules = { noun: 'dataset group' };

/** Dataset names are 1..256 characters, folders at most 1024 (Strata's bounds; Nebius documents none). */
export const MAX_NAME_CHARS = 256;
export const MAX_FOLDER_CHARS = 1024;

/** The Nebius face: pydantic-style bounds on the name as given, and on the folder. */
export const TYPED_DATASET_NAME_RULES: NameRules = {
  noun: 'dataset',
  maxChars: MAX_NAME_CHARS,
  emptyIsTooShort: true,
  maxFolderChars: MAX_FOLDER_CHARS,
};

/** Problems with a name and/or folder (either may be absent: a rename), at paths ['name'] and ['folder']. */
export function checkNameAndFolder(input: { name?: string; folder?: string }, rules: NameRules): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { name, folder } = input;
  if (name !== undefined) {
    const path = ['name'];
    if (name.length === 0 && rules.emptyIsTooShort) issues.push(stringTooShort(path, 1, name));
    else if (rules.maxChars !== undefined && name.length > rules.maxChars)
      issues.push(stringTooLong(path, rules.maxChars, name));
    else if (name.trim() === '') issues.push(valueError(path, 'name must not be blank', name));
    else if (!fitsIndex(name.trim()))
      issues.push(valueError(path, `name is at most ${MAX_INDEXED_BYTES} bytes of UTF-8`, name));
  }
  if (folder !== undefined && rules.maxFolderChars !== undefined && folder.length > rules.maxFolderChars)
    issues.push(stringTooLong(['folder'], rules.maxFolderChars, folder));
  return issues;
}

/** Throws the first problem with the name (its message is the error's), as the PromptLayer face reports one at a time. */
export function assertValidName(name: string, rules: NameRules): void {
  const [issue] = checkNameAndFolder({ name }, rules);
  if (issue) throw new ValidationError(issue.message, [issue]);
}

/** A live group in the workspace already has this name. */
export function nameTakenError(name: string, rules: NameRules): ValidationError {
  const message = `a ${rules.noun} named "${name}" already exists in this workspace`;
  return new ValidationError(message, [valueError(['name'], message, name)]);
}
