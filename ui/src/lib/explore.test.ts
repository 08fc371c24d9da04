// Unit tests of the issue-12 explorer logic: chat parsing, URL state of request logs and pages, JWT expiry, previews.
import { describe, expect, it } from 'vitest';
import { chatOf } from './chat';
import {
  activeFilterCount,
  emptyLogFilters,
  logFiltersFromQuery,
  logQueryOf,
  previewText,
  scoresOf,
} from './request-logs';
import { withQuery } from './router';
import { isExpired, jwtExpiry } from './session';

describe('chatOf', () => {
  it('reads a PromptLayer chat blueprint with text parts', () => {
    expect(
      chatOf({
        type: 'chat',
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
          { role: 'user', content: 'hi' },
        ],
      }),
    ).toEqual([
      { role: 'system', text: 'be brief', toolCalls: [], toolCallId: null, name: null },
      { role: 'user', text: 'hi', toolCalls: [], toolCallId: null, name: null },
    ]);
  });

  it('reads OpenAI tool calls and tool results from JSON text', () => {
    const cell = JSON.stringify([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 3}' },
    ]);
    const chat = chatOf(cell);
    expect(chat?.[0].toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', args: '{\n  "city": "Oslo"\n}' }]);
    expect(chat?.[1]).toMatchObject({ role: 'tool', toolCallId: 'call_1', text: '{"temp": 3}' });
  });

  it('reads Anthropic tool_use and tool_result parts, and a completion blueprint', () => {
    const chat = chatOf({
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'looking' },
            { type: 'tool_use', id: 'tu1', name: 'search', input: { q: 'x' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'tu1', content: [{ type: 'text', text: 'found' }] }],
        },
      ],
    });
    expect(chat?.[0]).toMatchObject({
      text: 'looking',
      toolCalls: [{ id: 'tu1', name: 'search', args: '{\n  "q": "x"\n}' }],
    });
    expect(chat?.[1]).toMatchObject({ text: 'found', toolCallId: 'tu1' });
    expect(chatOf({ type: 'completion', content: 'once upon' })).toEqual([
      { role: 'completion', text: 'once upon', toolCalls: [], toolCallId: null, name: null },
    ]);
  });

  it('is null for values that are not chats', () => {
    for (const v of [
      'plain text',
      '{"a":[1,2]}',
      '[1,2]',
      '[]',
      42,
      null,
      { role: 'user' },
      [{ role: 'user' }, { nope: 1 }],
      '[not json',
    ])
      expect(chatOf(v)).toBeNull();
  });
});

describe('request-log URL state', () => {
  it('round-trips filters and page through the query string', () => {
    const f = {
      ...emptyLogFilters(),
      q: 'refund',
      status: 'ERROR' as const,
      tag: 'prod',
      promptName: 'qa',
      metadataKey: 'env',
      metadataValue: 'a b',
    };
    const search = withQuery('', logQueryOf(f, 3));
    expect(search).toBe('?q=refund&status=ERROR&tag=prod&prompt=qa&mkey=env&mvalue=a+b&page=3');
    expect(logFiltersFromQuery(search)).toEqual({ filters: f, page: 3 });
  });

  it('leaves out empty filters and page 1, and ignores invalid values', () => {
    expect(withQuery('?keep=1&page=4', logQueryOf(emptyLogFilters(), 1))).toBe('?keep=1');
    expect(logFiltersFromQuery('?status=BOGUS&page=-2')).toEqual({ filters: emptyLogFilters(), page: 1 });
    expect(activeFilterCount({ ...emptyLogFilters(), tag: 'x', metadataKey: 'k', metadataValue: 'v' })).toBe(2);
  });
});

describe('previews and scores', () => {
  it('cuts text to one line', () => {
    expect(previewText('a\n  b\tc', 10)).toBe('a b c');
    expect(previewText('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(previewText(null)).toBe('');
  });
  it('reads named scores, else the single score', () => {
    expect(scoresOf({ scores: { default: 80, judge: 3 } })).toEqual([
      ['default', 80],
      ['judge', 3],
    ]);
    expect(scoresOf({ scores: {}, score: 5 })).toEqual([['default', 5]]);
    expect(scoresOf({})).toEqual([]);
  });
});

describe('JWT expiry', () => {
  const jwt = (payload: object) =>
    `h.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.s`;
  it('reads exp and compares it with now', () => {
    expect(jwtExpiry(jwt({ exp: 1000 }))).toBe(1000);
    expect(isExpired(jwt({ exp: 1000 }), 1_000_001)).toBe(true);
    expect(isExpired(jwt({ exp: 1000 }), 999_000)).toBe(false);
    expect(isExpired(jwt({ sub: 'x' }))).toBe(false);
    expect(isExpired('not-a-jwt')).toBe(false);
  });
});
