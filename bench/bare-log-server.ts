// The log-ingestion baseline: a bare Fastify server in its own process (the same shape as `strata serve`) whose
// POST /log-request and /track-request parse the same JSON body and answer 201 — no validation, auth or storage.
import Fastify from 'fastify';

let next = 0;
const app = Fastify({ logger: false });
const reply201 = async (req: { body: unknown }, reply: { code: (n: number) => { send: (b: unknown) => unknown } }) =>
  reply.code(201).send({ success: true, request_id: ++next, fields: Object.keys(req.body as object).length });
app.post('/log-request', reply201);
app.post('/track-request', reply201);
app.get('/readyz', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
