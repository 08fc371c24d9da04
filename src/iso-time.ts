// The one ISO 8601 parser of the API: a date-time without an offset is UTC, whatever the server's timezone
// (`Date.parse` would read it as local time, so the same body would store different instants on different hosts).

/** `2026-04-22`, `2026-04-22T17:00`, `…:00.123456`, with `Z`, `+05:30`, `+0530`, `+05` or no offset; `T` or a space. */
const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** Epoch milliseconds of an ISO 8601 date or date-time (UTC when it names no offset); NaN when it is not one. */
export function parseIsoTime(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return Number.NaN;
  const [, date, hh = '00', mi = '00', ss = '00', frac = '', , sign, oh, om = '00'] = m;
  const offset = sign ? `${sign}${oh}:${om}` : 'Z';
  const ms = frac.padEnd(3, '0').slice(0, 3);
  const value = Date.parse(`${date}T${hh}:${mi}:${ss}.${ms}${offset}`);
  // Date.parse rolls impossible fields over on some engines; refuse them instead.
  if (
    Number.isNaN(value) ||
    Number(hh) > 23 ||
    Number(mi) > 59 ||
    Number(ss) > 59 ||
    Number(oh ?? 0) > 23 ||
    Number(om) > 59
  )
    return Number.NaN;
  const day = new Date(Date.parse(`${date}T00:00:00Z`));
  return day.toISOString().slice(0, 10) === date ? value : Number.NaN;
}

export const isIsoTime = (text: string): boolean => !Number.isNaN(parseIsoTime(text));

/** Largest epoch-millisecond value a JS Date holds (±100,000,000 days). */
const MAX_EPOCH_MS = 8.64e15;
/**
 * Numbers above this are epoch milliseconds, not seconds: 1e11 seconds is the year 5138, while 1e11 ms is 1973,
 * so a caller passing `Date.now()` where PromptLayer documents seconds still gets the instant they meant.
 */
export const MS_THRESHOLD = 1e11;

/**
 * Epoch milliseconds of a time as PromptLayer clients send one: unix seconds (fractional allowed), epoch
 * milliseconds when the number is above 1e11, or an ISO 8601 string (see parseIsoTime). NaN when it is none of
 * these (a negative or non-finite number, a number past the Date range, any other type).
 */
export function parseApiTime(v: unknown): number {
  if (typeof v === 'string') return parseIsoTime(v);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_EPOCH_MS) return Number.NaN;
  return v > MS_THRESHOLD ? Math.round(v) : Math.round(v * 1000);
}
