// Column statistics from GET /datasets/{id}/stats as the UI shows them: compact numbers, bin labels, bar heights.
import type { ResponseOf } from './api-schema';
import type { components } from './api-types.gen';

/** One column's figures, as GET /datasets/{id}/stats declares them. */
export type ColumnStatsView = components['schemas']['ColumnStats'];

export type StatsBin = NonNullable<ColumnStatsView['number']>['histogram'][number];

export type VersionStatsView = ResponseOf<'/api/public/v2/datasets/{id}/stats', 'GET'>;

/** A number in at most ~6 significant characters: 12,345 · 1.23M · 0.125 · 3.1e-7. */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 0.001 || a >= 1e15)) return n.toExponential(2);
  if (a >= 1e6) {
    for (const [v, s] of [
      [1e12, 'T'],
      [1e9, 'B'],
      [1e6, 'M'],
    ] as const)
      if (a >= v) return `${+(n / v).toFixed(2)}${s}`;
  }
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return (+n.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function percent(share: number): string {
  if (share === 0) return '0%';
  if (share < 0.001) return '<0.1%';
  return `${+(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** "3", or "1.5–2.25" (a range bin). */
export function binLabel(b: StatsBin): string {
  return b.from === b.to ? compactNumber(b.from) : `${compactNumber(b.from)}–${compactNumber(b.to)}`;
}

/** Bar heights in percent of the tallest bin (a non-empty bin is never drawn below 4%, so it stays visible). */
export function barHeights(bins: StatsBin[]): number[] {
  const max = Math.max(0, ...bins.map((b) => b.count));
  return bins.map((b) => (max === 0 || b.count === 0 ? 0 : Math.max(4, Math.round((b.count / max) * 100))));
}

/** The accessible description of a histogram: every bin with its count. */
export function histogramLabel(what: string, bins: StatsBin[]): string {
  return `${what}: ${bins.map((b) => `${binLabel(b)}: ${b.count.toLocaleString('en-US')}`).join('; ')}`;
}
