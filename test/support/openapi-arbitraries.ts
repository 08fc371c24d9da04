// fast-check arbitraries for requests to one OpenAPI operation: values derived from its JSON schemas, mixed with
// hostile variants (wrong types, huge strings, deep nesting, NUL, odd unicode, big numbers, missing fields).
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  additionalProperties?: JsonSchema | boolean;
};

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  parameters?: Array<{ in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
}

/** JSON text emitted verbatim by `toJsonText` (deep nesting is built as text: JSON.stringify would overflow). */
export class RawJson {
  constructor(readonly text: string) {}
}

const deepArray = (n: number) => new RawJson('['.repeat(n) + ']'.repeat(n));
const deepObject = (n: number) => new RawJson('{"a":'.repeat(n) + '1' + '}'.repeat(n));
const deepNul = (n: number) => new RawJson('['.repeat(n) + '"x\\u0000"' + ']'.repeat(n));

/** Values that are wrong for almost any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    -0,
    1.5,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 32,
    2 ** 53,
    2 ** 63,
    -(2 ** 63),
    1e308,
    -1e308,
    Number.MIN_VALUE,
    '',
    ' ',
    'a\u0000b',
    '\u0000',
    '\uD800',
    '\uDFFF\uD800',
    '\uFFFE\uFFFF',
    '\u202Eevil',
    'e\u0301\u0301\u0301',
    '𝕏🙂👨‍👩‍👧',
    '<script>alert(1)</script>',
    "'; DROP TABLE datasets; --",
    '../../etc/passwd',
    '%00',
    '2147483648',
    '99999999999999999999999',
    'NaN',
    'http://127.0.0.1:9/',
    'http://[::127.0.0.1]:9/',
    's3://bucket/key.csv',
    [],
    {},
    [null],
    { __proto__x: 1 },
  ),
  fc.constantFrom(3_000, 70_000, 300_000).map((n) => 'é'.repeat(n)),
  fc.constantFrom(3_000, 70_000).map((n) => 'x'.repeat(n)),
  // Incompressible long text: PostgreSQL compresses repetitive strings below its btree entry limit, not these.
  fc.string({ minLength: 2_800, maxLength: 3_200, unit: 'grapheme-ascii' }),
  fc.constantFrom(150, 3_000, 10_000).chain((n) => fc.constantFrom(deepArray(n), deepObject(n), deepNul(n))),
  fc.constantFrom(3_000, 10_000).map((n) => deepObject(n)),
  fc.constant(new RawJson('{"__proto__":{"x":1},"a":1}')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
);

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDoc,
    /** Chance (0..1) that any one node is replaced by a hostile value. */
    private readonly hostility: number,
  ) {}

  private resolve(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; cur.$ref && i < 20; i++) {
      const name = cur.$ref.replace('#/components/schemas/', '');
      cur = this.doc.components?.schemas?.[name] ?? {};
    }
    return cur;
  }

  /** A value for `schema`, each node possibly swapped for a hostile one. */
  value(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const valid = this.valid(schema, depth);
    if (this.hostility <= 0) return valid;
    const w = Math.max(1, Math.round(this.hostility * 100));
    return fc.oneof({ arbitrary: valid, weight: 100 - w }, { arbitrary: hostileValue, weight: w });
  }

  private valid(raw: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(raw);
    if (depth > 4) return fc.constant(null);
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    const alts = s.anyOf ?? s.oneOf;
    if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => this.value(a, depth + 1)));
    const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (type.length > 1) return fc.oneof(...type.map((t) => this.valid({ ...s, type: t }, depth)));
    const num = (k: string) => (typeof s[k] === 'number' ? s[k] : undefined);
    switch (type[0]) {
      case 'string': {
        const minLength = num('minLength') ?? 0;
        const maxLength = Math.min(num('maxLength') ?? 40, Math.max(minLength, 40));
        if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
        return fc.oneof(
          fc.string({ minLength, maxLength }),
          fc.string({ unit: 'grapheme', minLength, maxLength }),
          fc.constant('a'.repeat(Math.max(1, minLength))),
        );
      }
      case 'integer': {
        const min = Math.max(num('minimum') ?? -1e6, -(2 ** 53));
        const max = Math.min(num('maximum') ?? 1e6, 2 ** 53);
        return fc.oneof(
          fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 1000) }),
          fc.constantFrom(min, max),
          fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }),
        );
      }
      case 'number':
        return fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true, min: num('minimum'), max: num('maximum') }),
          fc.integer({ min: 0, max: 100 }),
        );
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const item = s.items ?? {};
        return fc.array(this.value(item, depth + 1), {
          minLength: num('minItems') ?? 0,
          maxLength: Math.min(num('maxItems') ?? 3, depth > 2 ? 1 : 3),
        });
      }
      case 'object':
      default: {
        if (!s.properties && type[0] !== 'object') return fc.anything({ maxDepth: 2 });
        const props = s.properties ?? {};
        const required = new Set(s.required ?? []);
        const shape: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) shape[k] = this.value(v, depth + 1);
        const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
        const known = Object.keys(shape).length > 0 ? fc.record(shape, { requiredKeys: [] }) : fc.constant({});
        // Required fields are mostly present; sometimes one goes missing (the record above may drop optional ones).
        const withRequired = fc.tuple(known, fc.boolean(), fc.boolean()).map(([o, keepAll]) => ({ o, keepAll }));
        const filled = fc
          .tuple(
            withRequired,
            fc.record(Object.fromEntries([...required].filter((k) => shape[k]).map((k) => [k, shape[k]]))),
          )
          .map(([{ o, keepAll }, req]) => (keepAll ? { ...o, ...req } : o));
        if (!extra) return filled;
        return fc
          .tuple(filled, fc.dictionary(fc.string({ maxLength: 12 }), this.value(extra, depth + 1), { maxKeys: 4 }))
          .map(([a, b]) => ({ ...b, ...a }));
      }
    }
  }
}

/** JSON text of a generated value; RawJson pieces are emitted as they are. */
export function toJsonText(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`)
      .join(',')}}`;
  }
  const s = JSON.stringify(v);
  return s === undefined ? 'null' : s;
}

/** A value as query or path text: strings as they are, RawJson as its text, anything else as JSON. */
export function toParamText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof RawJson) return v.text;
  return toJsonText(v);
}
