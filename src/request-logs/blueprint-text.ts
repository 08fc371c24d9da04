// Plain text of a prompt blueprint (chat messages or completion content), kept beside the log for `q` search and for
// the `output` column of datasets built from logs.
type Block = { type?: string; text?: unknown; thinking?: unknown };

function blocksText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const b of content as Block[]) {
    if (
      b &&
      typeof b === 'object' &&
      typeof b.text === 'string' &&
      (b.type === undefined || b.type === 'text' || b.type === 'input_text' || b.type === 'output_text')
    )
      out.push(b.text);
  }
  return out;
}

/** Text blocks joined by newlines; tool calls, images and thinking are left out. */
export function blueprintText(blueprint: unknown): string {
  if (!blueprint || typeof blueprint !== 'object') return '';
  const b = blueprint as { type?: string; messages?: Array<{ content?: unknown }>; content?: unknown };
  if (Array.isArray(b.messages)) return b.messages.flatMap((m) => blocksText(m?.content)).join('\n');
  return blocksText(b.content).join('\n');
}
