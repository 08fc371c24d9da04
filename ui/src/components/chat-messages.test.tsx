// The cell view renders messages-style cells as role bubbles with tool calls, other cells as text.
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CellDialog } from './cell-dialog';

afterEach(cleanup);

describe('CellDialog chat rendering', () => {
  it('shows a messages cell as bubbles with a tool call', () => {
    const value = JSON.stringify([
      { role: 'user', content: 'weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
    ]);
    render(<CellDialog column="messages" rowNumber={1} value={value} onClose={() => {}} />);
    const list = screen.getByRole('list', { name: 'messages messages' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.className)).toEqual(['message chat-msg chat-user', 'message chat-msg chat-assistant']);
    expect(items[0].textContent).toContain('weather in Oslo?');
    expect(items[1].textContent).toContain('get_weather');
    expect(items[1].textContent).toContain('"city": "Oslo"');
  });

  it('keeps plain text as text', () => {
    render(<CellDialog column="q" rowNumber={2} value="just text" onClose={() => {}} />);
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.getByRole('dialog').querySelector('pre')?.textContent).toBe('just text');
  });
});
