// A CommonJS app using the official PromptLayer JS SDK with tracing on, run as its own process by test/tracing.test.ts
// (the SDK registers a process-wide OpenTelemetry provider). Prints what it got and every body it posted to Strata.
const { PromptLayer } = require('promptlayer');

const { PL_BASE_URL, PL_API_KEY, LLM_URL } = process.env;
const sent = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const entry =
    url.startsWith(PL_BASE_URL) && init && typeof init.body === 'string'
      ? { path: url.slice(PL_BASE_URL.length), status: null, body: JSON.parse(init.body) }
      : null;
  if (entry) sent.push(entry);
  const res = await realFetch(input, init);
  if (entry) entry.status = res.status;
  return res;
};

async function main() {
  const pl = new PromptLayer({ apiKey: PL_API_KEY, baseURL: PL_BASE_URL, enableTracing: true });
  const OpenAI = pl.OpenAI;
  const openai = new OpenAI({ apiKey: 'sk-fake', baseURL: `${LLM_URL}/v1`, maxRetries: 0 });
  const answer = pl.wrapWithSpan(
    'answer-question',
    async (question) => {
      const [response, plId] = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: question }],
        return_pl_id: true,
      });
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `${question} (streamed)` }],
        stream: true,
        return_pl_id: true,
      });
      let streamedId = null;
      let streamed = '';
      for await (const [chunk, id] of stream) {
        if (id !== null) streamedId = id;
        else streamed += chunk.choices[0]?.delta?.content ?? '';
      }
      return { text: response.choices[0].message.content, plId, streamed, streamedId };
    },
    { 'app.step': 'qa' },
  );
  const result = await answer('What is tracing?');
  // SimpleSpanProcessor exports each span as it ends. Its forceFlush() never resolves with this SDK's exporter (export()
  // returns a promise instead of calling the result callback), so wait for the three exports to be answered instead.
  const deadline = Date.now() + 10_000;
  const answered = () => sent.filter((s) => s.path === '/spans-bulk' && s.status !== null).length;
  while (answered() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  process.stdout.write(`RESULT ${JSON.stringify({ result, sent })}\n`);
}

main().catch((err) => {
  process.stdout.write(`FAILED ${err && err.stack ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
