// Column statistics of one column's cells, gathered in one pass: inferred type, null share, distinct count,
// number range and histogram, string lengths and top values, boolean counts. Pure: no I/O, bounded memory per column.

/** Exact distinct counting up to this many values, then a HyperLogLog estimate (marked approximate). */
export const EXACT_DISTINCT_LIMIT = 10_000;
/** Values tracked for "top values"; once full, new values are not tracked (the list is then marked approximate). */
const TOP_TRACKED_LIMIT = 10_000;
const TOP_SHOWN = 5;
/** Top values are shown (and keyed) by their first characters only. */
const PREVIEW_CHARS = 120;
const HISTOGRAM_BINS = 10;
/** Whole numbers spanning at most this many values get one bin per value. */
const MAX_UNIT_BINS = 20;
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const BOOLEAN_TEXT = /^(true|false)$/i;

export type InferredType = 'number' | 'string' | 'boolean' | 'json' | 'mixed' | 'empty';

export interface HistogramBin {
  /** from ≤ v < to (the last bin includes `to`); from = to for a one-value bin. */
  from: number;
  to: number;
  count: number;
}

export interface ColumnStats {
  type: InferredType;
  /** Cells looked at (every row, or the sample). */
  count: number;
  nulls: number;
  /** Empty strings. */
  empty: number;
  /** (nulls + empty) / count, 0 when there are no cells. */
  null_share: number;
  kinds: { number: number; string: number; boolean: number; json: number };
  distinct: { count: number; approximate: boolean };
  number: {
    count: number;
    from_text: number;
    min: number;
    max: number;
    mean: number;
    histogram: HistogramBin[];
  } | null;
  string: {
    count: number;
    length: { min: number; max: number; mean: number; histogram: HistogramBin[] };
    top: Array<{ value: string; count: number; truncated: boolean }>;
    top_approximate: boolean;
  } | null;
  boolean: { true: number; false: number } | null;
}

/** Grows a typed array of numbers without keeping a JS array of boxed values. */
class NumberBuffer {
  private buf = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

/** 32-bit FNV-1a over UTF-16 units, with murmur3's finaliser for spread (HyperLogLog needs well-mixed bits). */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Distinct values: a set of 52-bit hashes (not the values: cells may be huge) until the limit, then HyperLogLog (p = 12). */
class DistinctCounter {
  private exact: Set<number> | null = new Set();
  private registers: Uint8Array | null = null;

  add(key: string): void {
    const lo = hash32(key, 0);
    if (this.exact) {
      this.exact.add(lo * 0x100000 + (hash32(key, 0x9e3779b9) & 0xfffff));
      if (this.exact.size > EXACT_DISTINCT_LIMIT) this.switchToEstimate();
      return;
    }
    this.addToRegisters(lo);
  }

  private switchToEstimate(): void {
    this.registers = new Uint8Array(4096);
    for (const h of this.exact!) this.addToRegisters(Math.floor(h / 0x100000) >>> 0);
    this.exact = null;
  }

  private addToRegisters(h: number): void {
    const idx = h >>> 20;
    const rest = (h << 12) | 0x800; // guard bit bounds the rank at 21
    const rank = Math.clz32(rest) + 1;
    if (rank > this.registers![idx]) this.registers![idx] = rank;
  }

  result(): { count: number; approximate: boolean } {
    if (this.exact) return { count: this.exact.size, approximate: false };
    const m = 4096;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers!) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    let e = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * Math.log(m / zeros);
    return { count: Math.round(e), approximate: true };
  }
}

/** Length in code points (an astral character counts once; a lone surrogate counts once too). */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The first PREVIEW_CHARS units of a text, never splitting a surrogate pair. */
function preview(s: string): { text: string; truncated: boolean } {
  if (s.length <= PREVIEW_CHARS) return { text: s, truncated: false };
  let end = PREVIEW_CHARS;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return { text: s.slice(0, end), truncated: true };
}

/** Equal-width bins over [min, max]; one bin per value for whole numbers in a narrow range. */
export function histogram(values: Float64Array, min: number, max: number): HistogramBin[] {
  if (values.length === 0) return [];
  if (min === max) return [{ from: min, to: max, count: values.length }];
  // Safe integers only: past 2^53, v + 1 may equal v.
  const whole = Number.isSafeInteger(min) && Number.isSafeInteger(max) && values.every((v) => Number.isInteger(v));
  if (whole && max - min + 1 <= MAX_UNIT_BINS) {
    const bins: HistogramBin[] = [];
    for (let i = 0; i <= max - min; i++) bins.push({ from: min + i, to: min + i, count: 0 });
    for (const v of values) bins[v - min].count++;
    return bins;
  }
  // A range wider than the largest double (-1e308..1e308) is measured in tenths, so that it stays finite.
  const overflow = !Number.isFinite(max - min);
  const width = overflow ? max / HISTOGRAM_BINS - min / HISTOGRAM_BINS : (max - min) / HISTOGRAM_BINS;
  const bins: HistogramBin[] = [];
  for (let i = 0; i < HISTOGRAM_BINS; i++)
    bins.push({ from: min + i * width, to: i === HISTOGRAM_BINS - 1 ? max : min + (i + 1) * width, count: 0 });
  for (const v of values) {
    const i = Math.floor(
      overflow ? (v / HISTOGRAM_BINS - min / HISTOGRAM_BINS) / (width / HISTOGRAM_BINS) : (v - min) / width,
    );
    bins[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Number.isFinite(i) ? i : 0))].count++;
  }
  return bins;
}

function range(values: Float64Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  let mean = sum / values.length;
  if (!Number.isFinite(mean)) {
    // The sum overflowed (values near ±1.8e308): add the values already divided instead.
    mean = 0;
    for (const v of values) mean += v / values.length;
  }
  return { min, max, mean };
}

/** Gathers one column's figures cell by cell; `result()` may be called once at the end. */
export class ColumnStatsAccumulator {
  private count = 0;
  private nulls = 0;
  private empty = 0;
  private readonly kinds = { number: 0, string: 0, boolean: 0, json: 0 };
  private trues = 0;
  /** Strings "true"/"false" (any case): a column of only these is a boolean column (CSV cells are text). */
  private booleanText = 0;
  private trueText = 0;
  private readonly distinct = new DistinctCounter();
  private readonly numbers = new NumberBuffer();
  /** Strings that read as numbers; a column of only these is a number column. */
  private readonly numericText = new NumberBuffer();
  private readonly lengths = new NumberBuffer();
  private readonly top = new Map<string, { count: number; truncated: boolean }>();
  private topFull = false;

  add(value: unknown): void {
    this.count++;
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    switch (typeof value) {
      case 'number':
        this.kinds.number++;
        this.numbers.push(value);
        this.distinct.add(`n${value}`);
        return;
      case 'boolean':
        this.kinds.boolean++;
        if (value) this.trues++;
        this.distinct.add(value ? 'b1' : 'b0');
        return;
      case 'string':
        if (value === '') {
          this.empty++;
          return;
        }
        this.kinds.string++;
        this.lengths.push(codePointLength(value));
        if (value.length <= 5 && BOOLEAN_TEXT.test(value)) {
          this.booleanText++;
          if (value.length === 4) this.trueText++;
        } else if (NUMERIC_TEXT.test(value)) {
          const n = Number(value);
          if (Number.isFinite(n)) this.numericText.push(n);
        }
        this.distinct.add(`s${value}`);
        this.countTop(value);
        return;
      default: {
        this.kinds.json++;
        const text = JSON.stringify(value) ?? 'null';
        this.distinct.add(`j${text}`);
        this.countTop(text);
      }
    }
  }

  private countTop(text: string): void {
    const p = preview(text);
    const key = p.text;
    const hit = this.top.get(key);
    if (hit) hit.count++;
    else if (this.top.size < TOP_TRACKED_LIMIT) this.top.set(key, { count: 1, truncated: p.truncated });
    else this.topFull = true;
  }

  result(): ColumnStats {
    const k = this.kinds;
    const present = (Object.keys(k) as Array<keyof typeof k>).filter((name) => k[name] > 0);
    const numericStrings = k.string > 0 && this.numericText.length === k.string && k.boolean === 0 && k.json === 0;
    const booleanStrings = k.string > 0 && this.booleanText === k.string && k.number === 0 && k.json === 0;
    const type: InferredType = numericStrings
      ? 'number'
      : booleanStrings
        ? 'boolean'
        : present.length === 0
          ? 'empty'
          : present.length === 1
            ? present[0]
            : 'mixed';
    const trues = this.trues + (booleanStrings ? this.trueText : 0);
    const booleans = k.boolean + (booleanStrings ? this.booleanText : 0);

    let numberStats: ColumnStats['number'] = null;
    const nums = numericStrings ? concat(this.numbers.values(), this.numericText.values()) : this.numbers.values();
    if (nums.length > 0) {
      const r = range(nums);
      numberStats = {
        count: nums.length,
        from_text: numericStrings ? this.numericText.length : 0,
        ...r,
        histogram: histogram(nums, r.min, r.max),
      };
    }
    let stringStats: ColumnStats['string'] = null;
    const lengths = this.lengths.values();
    if (k.string > 0 || k.json > 0) {
      const top = [...this.top.entries()]
        .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
        .slice(0, TOP_SHOWN)
        .map(([value, v]) => ({ value, count: v.count, truncated: v.truncated }));
      const r = lengths.length ? range(lengths) : { min: 0, max: 0, mean: 0 };
      stringStats = {
        count: k.string,
        length: { ...r, histogram: histogram(lengths, r.min, r.max) },
        top,
        // Values first seen after the tracking table filled up were not counted.
        top_approximate: this.topFull,
      };
    }
    return {
      type,
      count: this.count,
      nulls: this.nulls,
      empty: this.empty,
      null_share: this.count ? (this.nulls + this.empty) / this.count : 0,
      kinds: { ...k },
      distinct: this.distinct.result(),
      number: numberStats,
      string: stringStats,
      boolean: booleans ? { true: trues, false: booleans - trues } : null,
    };
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
