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
