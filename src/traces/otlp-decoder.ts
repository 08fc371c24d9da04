// Decodes an OTLP/HTTP trace export (ExportTraceServiceRequest, protobuf or JSON encoding; what OpenTelemetry's
// OTLPSpanExporter posts, e.g. the Python SDK's tracing) into the span shape of /spans-bulk. Only the fields Strata
// stores are read; unknown protobuf fields are skipped by wire type.
import { ValidationError } from '../errors.js';
import type { SpanInput } from './span.schema.js';

const KINDS = [
  'SpanKind.INTERNAL',
  'SpanKind.INTERNAL',
  'SpanKind.SERVER',
  'SpanKind.CLIENT',
  'SpanKind.PRODUCER',
  'SpanKind.CONSUMER',
];
const STATUSES = ['StatusCode.UNSET', 'StatusCode.OK', 'StatusCode.ERROR'];

/** A protobuf wire-format reader over one message's bytes. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new ValidationError('OTLP protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new ValidationError('OTLP protobuf: varint too long');
  }
  fixed64(): Buffer {
    return this.take(8);
  }
  bytes(): Buffer {
    return this.take(Number(this.varint()));
  }
  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new ValidationError('OTLP protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Calls `onField(field, wireType)` for each field; the callback reads the value or returns false to skip it. */
  fields(onField: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = Number(this.varint());
      const field = tag >>> 3;
      const wire = tag & 7;
      if (!onField(field, wire)) this.skip(wire);
    }
  }
  private skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.take(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.take(4);
    else throw new ValidationError(`OTLP protobuf: unsupported wire type ${wire}`);
  }
}

const utf8 = (b: Buffer) => b.toString('utf8');
const u64 = (b: Buffer) => b.readBigUInt64LE(0).toString();

function anyValue(r: Reader): unknown {
  let value: unknown = null;
  r.fields((f, w) => {
    if (f === 1 && w === 2) value = utf8(r.bytes());
    else if (f === 2 && w === 0) value = r.varint() !== 0n;
    else if (f === 3 && w === 0) value = Number(BigInt.asIntN(64, r.varint()));
    else if (f === 4 && w === 1) value = r.fixed64().readDoubleLE(0);
    else if (f === 5 && w === 2) value = listOf(new Reader(r.bytes()), anyValue);
    else if (f === 6 && w === 2) value = keyValues(listOf(new Reader(r.bytes()), keyValue));
    else if (f === 7 && w === 2) value = r.bytes().toString('base64');
    else return false;
    return true;
  });
  return value;
}

/** The repeated message field 1 of a wrapper message (ArrayValue.values, KeyValueList.values). */
function listOf<T>(r: Reader, read: (r: Reader) => T): T[] {
  const out: T[] = [];
  r.fields((f, w) => (f === 1 && w === 2 ? (out.push(read(new Reader(r.bytes()))), true) : false));
  return out;
}

function keyValue(r: Reader): [string, unknown] {
  let key = '';
  let value: unknown = null;
  r.fields((f, w) => {
    if (f === 1 && w === 2) key = utf8(r.bytes());
    else if (f === 2 && w === 2) value = anyValue(new Reader(r.bytes()));
    else return false;
    return true;
  });
  return [key, value];
}

const keyValues = (pairs: Array<[string, unknown]>) => Object.fromEntries(pairs);

function event(r: Reader) {
  const out = { name: '', timestamp: '0', attributes: {} as Record<string, unknown> };
  const attrs: Array<[string, unknown]> = [];
  r.fields((f, w) => {
    if (f === 1 && w === 1) out.timestamp = u64(r.fixed64());
    else if (f === 2 && w === 2) out.name = utf8(r.bytes());
    else if (f === 3 && w === 2) attrs.push(keyValue(new Reader(r.bytes())));
    else return false;
    return true;
  });
  out.attributes = keyValues(attrs);
  return out;
}

function link(r: Reader) {
  const out = { context: { trace_id: '', span_id: '', trace_state: '' }, attributes: {} as Record<string, unknown> };
  const attrs: Array<[string, unknown]> = [];
  r.fields((f, w) => {
    if (f === 1 && w === 2) out.context.trace_id = r.bytes().toString('hex');
    else if (f === 2 && w === 2) out.context.span_id = r.bytes().toString('hex');
    else if (f === 3 && w === 2) out.context.trace_state = utf8(r.bytes());
    else if (f === 4 && w === 2) attrs.push(keyValue(new Reader(r.bytes())));
    else return false;
    return true;
  });
  out.attributes = keyValues(attrs);
  return out;
}

function span(r: Reader, resource: Record<string, unknown>): SpanInput {
  const s: SpanInput = {
    name: '',
    context: { trace_id: '', span_id: '', trace_state: '' },
    kind: KINDS[0],
    parent_id: null,
    start_time: '0',
    end_time: '0',
  };
  const attrs: Array<[string, unknown]> = [];
  const events: unknown[] = [];
  const links: unknown[] = [];
  s.status = { status_code: STATUSES[0], description: null };
  r.fields((f, w) => {
    if (f === 1 && w === 2) s.context.trace_id = r.bytes().toString('hex');
    else if (f === 2 && w === 2) s.context.span_id = r.bytes().toString('hex');
    else if (f === 3 && w === 2) s.context.trace_state = utf8(r.bytes());
    else if (f === 4 && w === 2) s.parent_id = r.bytes().toString('hex') || null;
    else if (f === 5 && w === 2) s.name = utf8(r.bytes());
    else if (f === 6 && w === 0) s.kind = KINDS[Number(r.varint())] ?? KINDS[0];
    else if (f === 7 && w === 1) s.start_time = u64(r.fixed64());
    else if (f === 8 && w === 1) s.end_time = u64(r.fixed64());
    else if (f === 9 && w === 2) attrs.push(keyValue(new Reader(r.bytes())));
    else if (f === 11 && w === 2) events.push(event(new Reader(r.bytes())));
    else if (f === 13 && w === 2) links.push(link(new Reader(r.bytes())));
    else if (f === 15 && w === 2) {
      const st = new Reader(r.bytes());
      st.fields((sf, sw) => {
        if (sf === 2 && sw === 2) s.status!.description = utf8(st.bytes());
        else if (sf === 3 && sw === 0) s.status!.status_code = STATUSES[Number(st.varint())] ?? STATUSES[0];
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return { ...s, attributes: keyValues(attrs), events, links, resource };
}

/** ExportTraceServiceRequest (protobuf) → spans, each with its ResourceSpans' resource. */
export function decodeOtlpProtobuf(buf: Buffer): SpanInput[] {
  const spans: SpanInput[] = [];
  const top = new Reader(buf);
  top.fields((f, w) => {
    if (f !== 1 || w !== 2) return false;
    const rs = new Reader(top.bytes());
    const resourceAttrs: Array<[string, unknown]> = [];
    let schemaUrl = '';
    const spanBytes: Buffer[] = [];
    rs.fields((rf, rw) => {
      if (rf === 1 && rw === 2) {
        const res = new Reader(rs.bytes());
        res.fields((af, aw) =>
          af === 1 && aw === 2 ? (resourceAttrs.push(keyValue(new Reader(res.bytes()))), true) : false,
        );
      } else if (rf === 2 && rw === 2) {
        const ss = new Reader(rs.bytes());
        ss.fields((sf, sw) => (sf === 2 && sw === 2 ? (spanBytes.push(ss.bytes()), true) : false));
      } else if (rf === 3 && rw === 2) schemaUrl = utf8(rs.bytes());
      else return false;
      return true;
    });
    const resource = { attributes: keyValues(resourceAttrs), schema_url: schemaUrl };
    for (const b of spanBytes) spans.push(span(new Reader(b), resource));
    return true;
  });
  return spans;
}

// ---- OTLP/JSON: the same messages with camelCase names, hex ids and AnyValue objects

type J = Record<string, unknown>;
const jo = (v: unknown): J => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const ja = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function jsonAny(v: unknown): unknown {
  const a = jo(v);
  if ('stringValue' in a) return a.stringValue;
  if ('boolValue' in a) return a.boolValue;
  if ('intValue' in a) return Number(a.intValue);
  if ('doubleValue' in a) return a.doubleValue;
  if ('arrayValue' in a) return ja(jo(a.arrayValue).values).map(jsonAny);
  if ('kvlistValue' in a) return jsonAttributes(jo(a.kvlistValue).values);
  if ('bytesValue' in a) return a.bytesValue;
  return null;
}

const jsonAttributes = (list: unknown) =>
  Object.fromEntries(ja(list).map((kv) => [String(jo(kv).key ?? ''), jsonAny(jo(kv).value)]));
const enumIndex = (v: unknown, names: string[], prefix: string) =>
  typeof v === 'number'
    ? names[v]
    : typeof v === 'string'
      ? names.find((n) => n.endsWith(`.${v.replace(prefix, '')}`))
      : undefined;
const nanos = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? v : '0');

/** ExportTraceServiceRequest (OTLP/JSON) → spans. */
export function decodeOtlpJson(body: unknown): SpanInput[] {
  const spans: SpanInput[] = [];
  for (const rs of ja(jo(body).resourceSpans)) {
    const resource = {
      attributes: jsonAttributes(jo(jo(rs).resource).attributes),
      schema_url: String(jo(rs).schemaUrl ?? ''),
    };
    for (const ss of ja(jo(rs).scopeSpans)) {
      for (const raw of ja(jo(ss).spans)) {
        const sp = jo(raw);
        const status = jo(sp.status);
        spans.push({
          name: String(sp.name ?? ''),
          context: {
            trace_id: String(sp.traceId ?? ''),
            span_id: String(sp.spanId ?? ''),
            trace_state: String(sp.traceState ?? ''),
          },
          kind: enumIndex(sp.kind, KINDS, 'SPAN_KIND_') ?? KINDS[0],
          parent_id: typeof sp.parentSpanId === 'string' && sp.parentSpanId !== '' ? sp.parentSpanId : null,
          start_time: nanos(sp.startTimeUnixNano),
          end_time: nanos(sp.endTimeUnixNano),
          status: {
            status_code: enumIndex(status.code, STATUSES, 'STATUS_CODE_') ?? STATUSES[0],
            description: typeof status.message === 'string' ? status.message : null,
          },
          attributes: jsonAttributes(sp.attributes),
          events: ja(sp.events).map((e) => ({
            name: String(jo(e).name ?? ''),
            timestamp: String(jo(e).timeUnixNano ?? '0'),
            attributes: jsonAttributes(jo(e).attributes),
          })),
          links: ja(sp.links).map((l) => ({
            context: { trace_id: String(jo(l).traceId ?? ''), span_id: String(jo(l).spanId ?? '') },
            attributes: jsonAttributes(jo(l).attributes),
          })),
          resource,
        });
      }
    }
  }
  return spans;
}
