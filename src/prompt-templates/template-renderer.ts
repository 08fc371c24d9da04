// Renders a stored prompt template with input variables (f-string `{var}` and jinja2 `{{ var }}`), never throwing:
// a stored template of any shape renders to something, and what could not be rendered is reported, not raised.

export type TemplateFormat = 'f-string' | 'jinja2';

/** What a render noticed: variables the template uses but the caller did not send, and features Strata does not evaluate. */
export interface RenderReport {
  missing: Set<string>;
  notes: Set<string>;
}

export const newRenderReport = (): RenderReport => ({ missing: new Set(), notes: new Set() });

// The same placeholder grammar as the SDKs' client-side renderer (format specs and conversions are accepted, not applied).
const F_STRING = /\{(\w+)(?:[!:][^}]*)?\}/g;
const JINJA_EXPR = /\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:\|[^}]*)?\}\}/g;

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function lookup(variables: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = variables;
  for (const key of path.split('.')) {
    if (!cur || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return { found: false };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

/**
 * One text with one format. f-string: an unknown `{name}` is kept as written (so a missing variable stays visible);
 * jinja2: an unknown `{{ name }}` renders empty, as jinja2 does; `{% … %}` statements are kept and reported.
 */
export function renderText(
  text: string,
  format: TemplateFormat,
  variables: Record<string, unknown>,
  report: RenderReport,
): string {
  if (format === 'jinja2') {
    if (text.includes('{%'))
      report.notes.add('jinja2 statements ({% … %}) are not evaluated by Strata; they are returned as written');
    return text.replace(JINJA_EXPR, (_whole, path: string) => {
      const hit = lookup(variables, path);
      if (!hit.found) {
        report.missing.add(path.split('.')[0]);
        return '';
      }
      return stringify(hit.value);
    });
  }
  return text.replace(F_STRING, (whole, key: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, key)) {
      report.missing.add(key);
      return whole;
    }
    return stringify(variables[key]);
  });
}

export const formatOf = (holder: unknown, fallback: TemplateFormat = 'f-string'): TemplateFormat => {
  const f =
    holder && typeof holder === 'object' ? (holder as { template_format?: unknown }).template_format : undefined;
  return f === 'jinja2' ? 'jinja2' : f === 'f-string' ? 'f-string' : fallback;
};

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function renderParts(
  content: unknown,
  format: TemplateFormat,
  variables: Record<string, unknown>,
  report: RenderReport,
): unknown {
  if (typeof content === 'string') return renderText(content, format, variables, report);
  if (!Array.isArray(content)) return content;
  return content.map((part) =>
    isRecord(part) && typeof part.text === 'string' && (part.type === undefined || part.type === 'text')
      ? { ...part, text: renderText(part.text, format, variables, report) }
      : part,
  );
}

/**
 * A rendered deep copy of a chat (`messages[].content`) or completion (`content`) template. Each message renders with
 * its own `template_format` (the template's, else f-string). Anything that is not a well-formed template is returned
 * as a copy, unrendered.
 */
export function renderPromptTemplate(
  template: unknown,
  variables: Record<string, unknown>,
  report: RenderReport,
): unknown {
  if (!isRecord(template)) return template;
  const copy = structuredClone(template);
  const fallback = formatOf(copy);
  if (copy.type === 'chat') {
    if (Array.isArray(copy.messages)) {
      copy.messages = copy.messages.map((m) =>
        isRecord(m) && 'content' in m
          ? { ...m, content: renderParts(m.content, formatOf(m, fallback), variables, report) }
          : m,
      );
    }
  } else if ('content' in copy) {
    copy.content = renderParts(copy.content, fallback, variables, report);
  }
  return copy;
}
