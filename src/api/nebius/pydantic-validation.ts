// Validates Nebius request bodies and queries the way pydantic 2 does, from model definitions, and yields field issues
// in pydantic's terms (rendered as FastAPI's 422 items) — so Strata's errors match a FastAPI app built from seed 004's models.
import type { FieldIssue } from '../../errors.js';
import { LosslessNumber } from '../../datasets/lossless-json.js';
import { SpooledRows } from '../../datasets/typed-schema/spooled-rows.js';

/** The pydantic types the Nebius request models use. */
export type PyType =
  | { kind: 'str' }
  | { kind: 'int'; ge?: number; le?: number }
  | { kind: 'any' }
  | { kind: 'dict' }
  | { kind: 'list'; item: PyType }
  | { kind: 'nullable'; inner: PyType }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'literal'; values: readonly string[] }
  | { kind: 'model'; model: PyModel }
  /** A union of models: pydantic tags each member's errors with the model's name. */
  | { kind: 'union'; members: () => PyModel[] };

export interface PyField {
  name: string;
  type: PyType;
  required: boolean;
}

export interface PyModel {
  name: string;
  fields: () => PyField[];
}

type Path = Array<string | number>;

export interface ValidateOptions {
  /** Unions nested deeper than this stop with one `value_error` instead of recursing (option types nest). */
  maxUnionDepth: number;
  /** The `value_error` message past that depth. */
  depthMessage: string;
}

/** "'a', 'b' or 'c'", as pydantic lists expected values. */
export function expectedList(values: readonly string[]): string {
  const q = values.map((v) => `'${v}'`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

const isDict = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof LosslessNumber);
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Result of validating a value: the errors (empty when valid) and, for models, how many fields were set. */
interface Outcome {
  errors: FieldIssue[];
  fieldsSet: number;
  /** For a union: the member that matched. */
  member?: string;
}

export class PydanticValidator {
  constructor(private readonly opts: ValidateOptions) {}

  validate(type: PyType, value: unknown, path: Path): Outcome {
    return this.check(type, value, path, 0);
  }

  private check(type: PyType, v: unknown, path: Path, depth: number): Outcome {
    const ok: Outcome = { errors: [], fieldsSet: 0 };
    const err = (type: string, message: string, ctx?: Record<string, unknown>): Outcome => ({
      errors: [{ type, path, message, input: v, ...(ctx ? { ctx } : {}) }],
      fieldsSet: 0,
    });
    switch (type.kind) {
      case 'any':
        return ok;
      case 'str':
        return typeof v === 'string' ? ok : err('string_type', 'Input should be a valid string');
      case 'int':
        return this.int(type, v, err) ?? ok;
      case 'dict':
        return isDict(v) ? ok : err('dict_type', 'Input should be a valid dictionary');
      case 'nullable':
        return v === null ? ok : this.check(type.inner, v, path, depth);
      case 'enum':
      case 'literal': {
        if (typeof v === 'string' && type.values.includes(v)) return ok;
        const expected = expectedList(type.values);
        return err(type.kind === 'enum' ? 'enum' : 'literal_error', `Input should be ${expected}`, { expected });
      }
      case 'list': {
        if (v instanceof SpooledRows) {
          // Rows streamed to disk: their objects were told apart while spooling (only dict items are streamed).
          return {
            errors: v.nonObjects.map(([i, item]) => ({
              type: 'dict_type',
              path: [...path, i],
              message: 'Input should be a valid dictionary',
              input: item,
            })),
            fieldsSet: 0,
          };
        }
        if (!Array.isArray(v)) return err('list_type', 'Input should be a valid list');
        const errors: FieldIssue[] = [];
        v.forEach((item, i) => errors.push(...this.check(type.item, item, [...path, i], depth).errors));
        return { errors, fieldsSet: 0 };
      }
      case 'model':
        return this.model(type.model, v, path, depth);
      case 'union': {
        if (depth >= this.opts.maxUnionDepth) {
          const message = this.opts.depthMessage;
          return err('value_error', message, { error: message });
        }
        const outcomes = type.members().map((m) => ({ m, o: this.model(m, v, [...path, m.name], depth + 1) }));
        const valid = outcomes.filter((x) => x.o.errors.length === 0);
        // pydantic's smart mode: among valid members the one with the most fields set wins, the first on a tie.
        if (valid.length > 0) {
          const best = valid.reduce((a, b) => (b.o.fieldsSet > a.o.fieldsSet ? b : a));
          return { errors: [], fieldsSet: best.o.fieldsSet, member: best.m.name };
        }
        return { errors: outcomes.flatMap((x) => x.o.errors), fieldsSet: 0 };
      }
    }
  }

  private model(model: PyModel, v: unknown, path: Path, depth: number): Outcome {
    if (!isDict(v)) {
      return {
        errors: [
          {
            type: 'model_attributes_type',
            path,
            message: 'Input should be a valid dictionary or object to extract fields from',
            input: v,
          },
        ],
        fieldsSet: 0,
      };
    }
    const errors: FieldIssue[] = [];
    let fieldsSet = 0;
    for (const f of model.fields()) {
      if (!has(v, f.name)) {
        if (f.required) errors.push({ type: 'missing', path: [...path, f.name], message: 'Field required', input: v });
        continue;
      }
      fieldsSet++;
      errors.push(...this.check(f.type, v[f.name], [...path, f.name], depth).errors);
    }
    return { errors, fieldsSet };
  }

  /** pydantic's lax int: an integer, or a string of one (spaces, sign, `_` separators, a `.0` tail). */
  private int(
    type: Extract<PyType, { kind: 'int' }>,
    v: unknown,
    err: (t: string, m: string, c?: Record<string, unknown>) => Outcome,
  ): Outcome | undefined {
    let n: bigint;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return err('finite_number', 'Input should be a finite number');
      if (!Number.isInteger(v))
        return err('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      n = BigInt(v);
    } else if (v instanceof LosslessNumber) {
      n = BigInt(v.text);
    } else if (typeof v === 'string') {
      const m = /^\s*([+-]?)(\d(?:_?\d)*)(?:\.0*)?\s*$/.exec(v);
      if (!m) return err('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
      n = BigInt(`${m[1]}${m[2].replace(/_/g, '')}`);
    } else {
      return err('int_type', 'Input should be a valid integer');
    }
    if (type.ge !== undefined && n < BigInt(type.ge))
      return err('greater_than_equal', `Input should be greater than or equal to ${type.ge}`, { ge: type.ge });
    if (type.le !== undefined && n > BigInt(type.le))
      return err('less_than_equal', `Input should be less than or equal to ${type.le}`, { le: type.le });
    return undefined;
  }
}

/** Reads a validated int value the way pydantic would produce it. */
export function pyInt(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^\s*([+-]?)(\d(?:_?\d)*)/.exec(String(v));
  return Number(`${m?.[1] ?? ''}${(m?.[2] ?? '0').replace(/_/g, '')}`);
}
