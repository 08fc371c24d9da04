import { describe, expect, it } from 'vitest';
import { errorFromResponse, queryString } from './api';
import { base64OfDataUrl, formatOfFileName, readFileAsBase64 } from './files';
import { folderOf, groupByFolder } from './folders';
import { latestVersionByGroup } from './latest';
import { normalisePreview } from './preview';
import { buildSearchBody, emptyLogFilters, messagesOf, summariseLog } from './request-logs';
import type { Dataset } from './types';

describe('API errors', () => {
  it('reads PromptLayer and FastAPI error bodies', () => {
    expect(errorFromResponse(400, '{"success":false,"error":"name: too short"}').message).toBe('name: too short');
    expect(errorFromResponse(422, '{"detail":[{"loc":["body","rows",2,"age"],"msg":"not an integer"}]}').message).toBe(
      'rows.2.age: not an integer',
    );
    expect(errorFromResponse(502, '<html>bad gateway</html>').message).toBe('<html>bad gateway</html>');
    expect(errorFromResponse(500, '').message).toBe('request failed with HTTP 500');
  });

  it('tells a missing route from a missing thing, and spots API-key-only routes', () => {
    const missingRoute = errorFromResponse(404, '{"success":false,"error":"no route for GET /api/public/v2/webhooks"}');
    expect(missingRoute.notAvailable).toBe(true);
    expect(missingRoute.message).toMatch(/not available on this server/);
    expect(errorFromResponse(404, '{"success":false,"error":"dataset 5 not found"}').notAvailable).toBe(false);
    expect(
      errorFromResponse(
        401,
        '{"error":"this endpoint accepts API key authentication only (X-API-KEY header); a JWT is not accepted"}',
      ).apiKeyOnly,
    ).toBe(true);
    expect(errorFromResponse(401, '{"error":"token expired"}').apiKeyOnly).toBe(false);
  });

  it('builds query strings without empty values', () => {
    expect(queryString({ a: 1, b: '', c: undefined, d: null, e: 'x y' })).toBe('?a=1&e=x+y');
    expect(queryString({})).toBe('');
  });
});

describe('files', () => {
  it('accepts the four formats by extension', () => {
    expect(formatOfFileName('a.CSV')).toBe('.csv');
    expect(formatOfFileName('a.jsonl')).toBe('.jsonl');
    expect(formatOfFileName('a.json')).toBe('.json');
    expect(formatOfFileName('x.parquet')).toBe('.parquet');
    expect(formatOfFileName('x.xlsx')).toBeNull();
  });

  it('reads a file as base64', async () => {
    expect(base64OfDataUrl('data:text/csv;base64,QUJD')).toBe('QUJD');
    const seen: number[] = [];
    const b64 = await readFileAsBase64(new Blob(['a,b\n1,2\n']), (f) => seen.push(f));
    expect(atob(b64)).toBe('a,b\n1,2\n');
  });
});

describe('folders', () => {
  it('files groups by name prefix, unfiled first', () => {
    expect(folderOf({ name: 'a/b/c' })).toBe('a/b');
    expect(folderOf({ name: 'plain' })).toBe('');
    const out = groupByFolder([{ name: 'z/one' }, { name: 'solo' }, { name: 'a/two' }, { name: 'z/three' }]);
    expect(out.map((f) => [f.folder, f.groups.map((g) => g.name)])).toEqual([
      ['', ['solo']],
      ['a', ['a/two']],
      ['z', ['z/one', 'z/three']],
    ]);
  });
});

describe('latestVersionByGroup', () => {
  const v = (group: number, version: number, status: Dataset['status']) =>
    ({ dataset_group_id: group, version_number: version, status }) as Dataset;
  it('prefers a processing version, then the newest published, then the draft', () => {
    const m = latestVersionByGroup([
      v(1, -1, 'draft'),
      v(1, 1, 'ready'),
      v(1, 2, 'ready'),
      v(2, -1, 'draft'),
      v(3, 1, 'ready'),
      v(3, -1, 'processing'),
    ]);
    expect(m.get(1)?.version_number).toBe(2);
    expect(m.get(2)?.status).toBe('draft');
    expect(m.get(3)?.status).toBe('processing');
  });
});

describe('preview', () => {
  it('reads count, sample rows and warnings', () => {
    expect(
      normalisePreview({
        count: 2,
        columns: ['input', 'output'],
        sample: [['hi', 'yo'], { input: 'a', output: 'b' }],
        warnings: ['ignored field "metadata"'],
      }),
    ).toEqual({
      count: 2,
      columns: ['input', 'output'],
      rows: [
        { input: 'hi', output: 'yo' },
        { input: 'a', output: 'b' },
      ],
      warnings: ['ignored field "metadata"'],
    });
    expect(
      normalisePreview({
        success: true,
        count: 3,
        columns: ['question', 'output'],
        rows: [['q1', 'a1']],
        warnings: [],
      }),
    ).toEqual({
      count: 3,
      columns: ['question', 'output'],
      rows: [{ question: 'q1', output: 'a1' }],
      warnings: [],
    });
    expect(normalisePreview({ total: 0, rows: [{ id: 1, engine: 'x' }] })).toMatchObject({
      count: 0,
      columns: ['id', 'engine'],
    });
  });
});

describe('request logs', () => {
  it('builds a filter_group only from filled filters', () => {
    expect(buildSearchBody(emptyLogFilters(), 1, 25)).toEqual({
      sort_by: 'request_start_time',
      sort_order: 'desc',
      page: 1,
      per_page: 25,
    });
    const body = buildSearchBody(
      {
        ...emptyLogFilters(),
        q: ' refund ',
        status: 'ERROR',
        tag: 'prod',
        after: '2026-01-01T00:00',
        metadataKey: 'user',
        metadataValue: '42',
      },
      2,
      10,
    );
    expect(body).toEqual({
      filter_group: {
        logic: 'AND',
        filters: [
          { field: 'status', operator: 'is', value: 'ERROR' },
          { field: 'tags', operator: 'contains', value: 'prod' },
          { field: 'request_start_time', operator: 'after', value: '2026-01-01T00:00:00.000Z' },
          { field: 'metadata', operator: 'key_equals', nested_key: 'user', value: '42' },
        ],
      },
      q: 'refund',
      sort_by: 'request_start_time',
      sort_order: 'desc',
      page: 2,
      per_page: 10,
    });
  });

  it('summarises a log and reads prompt blueprints', () => {
    const s = summariseLog({
      id: 3,
      model: 'gpt-4o',
      provider: 'openai',
      request_start_time: '2023-11-14T22:13:20Z',
      latency_ms: 1500,
      input_tokens: 10,
      output_tokens: 2,
      tags: ['a'],
      price: 0.01,
      status: 'SUCCESS',
      prompt_name: null,
    });
    expect(s).toMatchObject({
      id: 3,
      model: 'gpt-4o',
      provider: 'openai',
      time: '2023-11-14T22:13:20Z',
      latencyMs: 1500,
      tags: ['a'],
      price: 0.01,
      status: 'SUCCESS',
    });
    expect(messagesOf({ type: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toEqual(
      [{ role: 'user', text: 'hi' }],
    );
    expect(messagesOf({ type: 'completion', content: [{ type: 'text', text: 'done' }] })).toEqual([
      { role: 'completion', text: 'done' },
    ]);
    expect(messagesOf(null)).toEqual([]);
  });
});
