// How values look in tables: one-line previews, pretty JSON for expansion, dates and counts.

export type CellKind = 'null' | 'text' | 'number' | 'boolean' | 'json';

/** A JSON value (object/array), or a string that holds one, as a parsed value; otherwise undefined. */
export function asJson(value: unknown): unknown {
  if (value !== null && typeof value === 'object') return value;
  if (typeof value === 'string') {
    const t = value.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function cellKind(value: unknown): CellKind {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (asJson(value) !== undefined) return 'json';
  return 'text';
}

/** Single-line preview of a cell, cut at `max` characters. */
export function previewCell(value: unknown, max = 200): string {
  if (value === null || value === undefined) return '';
  const raw = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const oneLine = raw.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Full text of a cell for the expanded view: JSON pretty-printed with 2 spaces, text as is. */
export function fullCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const json = asJson(value);
  if (json !== undefined) return JSON.stringify(json, null, 2);
  return typeof value === 'string' ? value : String(value);
}

/** Whether a cell is worth expanding: long, multi-line or structured. */
export function isExpandable(value: unknown, threshold = 60): boolean {
  if (cellKind(value) === 'json') return true;
  return typeof value === 'string' && (value.length > threshold || value.includes('\n'));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** "v3", or "draft" for version -1. */
export function versionLabel(versionNumber: number): string {
  return versionNumber < 0 ? 'draft' : `v${versionNumber}`;
}
