// Renders the core's field issues as the Nebius face's 422 body, FastAPI's `{detail: [{type, loc, msg, input, ctx?}]}`:
// `loc` is the request part then the field path; bounded to MAX_REPORTED_ISSUES items (then one `too_many_errors`)
// and no echoed `input` larger than MAX_ECHO_CHARS.
import type { FieldIssue, InputSource } from '../../errors.js';

/** One item of FastAPI's 422 `detail`. */
export interface FastApiIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** A 422 lists at most this many problems, then one `too_many_errors` item: a bad 20,000-row upload stays small. */
export const MAX_REPORTED_ISSUES = 100;

/** An `input` whose JSON would be longer than this is replaced by a note (pydantic echoes it whole). */
export const MAX_ECHO_CHARS = 2048;

/** True when the JSON text of `v` would exceed `limit` characters; stops early and never recurses. */
export function jsonLongerThan(v: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') size += x.length + 2;
    else if (x === null || typeof x !== 'object') size += String(x).length;
    else if (Array.isArray(x)) {
      size += 2 + x.length;
      for (const y of x) stack.push(y);
    } else if (typeof (x as { toJSON?: unknown }).toJSON === 'function')
      size += Number((x as { jsonLength?: number }).jsonLength ?? String(x).length);
    else {
      const o = x as Record<string, unknown>;
      size += 2;
      for (const k in o) {
        size += k.length + 4;
        stack.push(o[k]);
      }
    }
    if (size > limit) return true;
  }
  return false;
}

/** Fields whose value is never echoed (pydantic would): the S3 secret key. */
const SECRET_FIELDS = ['s3_secret_key'];
const REDACTED = '[redacted]';

function withoutSecrets(path: FieldIssue['path'], input: unknown): unknown {
  if (SECRET_FIELDS.includes(String(path[path.length - 1])) && typeof input === 'string') return REDACTED;
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !SECRET_FIELDS.some((f) => f in input))
    return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const f of SECRET_FIELDS) if (f in copy) copy[f] = REDACTED;
  return copy;
}

/** pydantic writes a `value_error` as "Value error, " and the reason it keeps in ctx. */
function messageOf(issue: FieldIssue): string {
  return issue.type === 'value_error' && issue.ctx?.error !== undefined
    ? `Value error, ${issue.message}`
    : issue.message;
}

function bounded(issue: FieldIssue, source: InputSource, cache: Map<unknown, boolean>): FastApiIssue {
  const { type, path, ctx } = issue;
  const loc = [source, ...path];
  const msg = messageOf(issue);
  const input = withoutSecrets(path, issue.input);
  let shown = input;
  if (input !== null && typeof input === 'object') {
    let long = cache.get(input);
    if (long === undefined) cache.set(input, (long = jsonLongerThan(input, MAX_ECHO_CHARS)));
    if (long) shown = `[input omitted: its JSON is longer than ${MAX_ECHO_CHARS} characters]`;
  } else if (typeof input === 'string' && input.length > MAX_ECHO_CHARS) {
    shown = `${input.slice(0, MAX_ECHO_CHARS)}[... ${input.length - MAX_ECHO_CHARS} more characters omitted]`;
  }
  // Key order as FastAPI writes it; `input` is always present (null when the issue has none).
  return { type, loc, msg, input: shown === undefined ? null : shown, ...(ctx ? { ctx } : {}) };
}

/** The `detail` array of a 422: issues in order, at `[source, ...path]`, bounded in count and size. */
export function renderValidationDetail(issues: FieldIssue[], source: InputSource): FastApiIssue[] {
  const cache = new Map<unknown, boolean>();
  const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((i) => bounded(i, source, cache));
  if (issues.length > MAX_REPORTED_ISSUES) {
    shown.push({
      type: 'too_many_errors',
      loc: ['body'],
      msg: `More than ${MAX_REPORTED_ISSUES} validation errors: only the first ${MAX_REPORTED_ISSUES} are listed`,
      input: null,
      ctx: { limit: MAX_REPORTED_ISSUES },
    });
  }
  return shown;
}
