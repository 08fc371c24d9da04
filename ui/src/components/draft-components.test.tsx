import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api';
import { ColumnDialog, type ColumnActions } from './column-dialog';
import { ConfirmDialog } from './confirm-dialog';
import { RowDialog } from './row-dialog';

afterEach(cleanup);

const actions = (over: Partial<ColumnActions> = {}): ColumnActions => ({
  add: vi.fn(async () => undefined),
  rename: vi.fn(async () => undefined),
  remove: vi.fn(async () => undefined),
  ...over,
});

describe('ColumnDialog', () => {
  it('shows the API error beside the name and stays open', async () => {
    const onClose = vi.fn();
    const a = actions({ rename: vi.fn(async () => Promise.reject(new ApiError(400, 'column "b" already exists'))) });
    render(<ColumnDialog mode={{ kind: 'edit', column: 'a' }} actions={a} onClose={onClose} />);
    fireEvent.change(screen.getByLabelText('New name'), { target: { value: 'b' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Rename' })));
    expect(screen.getByRole('alert').textContent).toBe('column "b" already exists');
    expect(screen.getByLabelText('New name').getAttribute('aria-invalid')).toBe('true');
    expect(onClose).not.toHaveBeenCalled();
  });
  it('adds with an optional default, removes only after confirming, Escape closes', async () => {
    const onClose = vi.fn();
    const a = actions();
    const { unmount } = render(<ColumnDialog mode={{ kind: 'add' }} actions={a} onClose={onClose} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'label' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Add column' })));
    expect(a.add).toHaveBeenCalledWith('label', null);
    expect(onClose).toHaveBeenCalledTimes(1);
    unmount();
    render(<ColumnDialog mode={{ kind: 'edit', column: 'x' }} actions={a} onClose={onClose} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove column…' }));
    expect(a.remove).not.toHaveBeenCalled();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove it' })));
    expect(a.remove).toHaveBeenCalledWith('x');
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(3);
  });
});

describe('ConfirmDialog', () => {
  it('starts on Cancel and shows a failed action’s error', async () => {
    render(
      <ConfirmDialog
        title="Discard this draft?"
        confirmLabel="Discard draft"
        onClose={() => undefined}
        onConfirm={async () => Promise.reject(new ApiError(409, 'dataset 4 is still processing'))}
      >
        <p>gone</p>
      </ConfirmDialog>,
    );
    expect(document.activeElement?.textContent).toBe('Cancel');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Discard draft' })));
    expect(screen.getByRole('alert').textContent).toBe('dataset 4 is still processing');
  });
});

describe('RowDialog', () => {
  it('lists every column of the row in full, with previous / next', () => {
    const onMove = vi.fn();
    render(
      <RowDialog
        rowNumber={1}
        total={2}
        columns={['a', 'b']}
        values={['x', '{"k":1}']}
        onMove={onMove}
        onClose={() => undefined}
      />,
    );
    const items = screen.getByTestId('row-view').querySelectorAll('pre');
    expect([...items].map((p) => p.textContent)).toEqual(['x', '{\n  "k": 1\n}']);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous row' }).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next row' }));
    expect(onMove).toHaveBeenCalledWith(1);
  });
});

describe('Modal focus', () => {
  it('returns focus to where it was when the dialog closes', () => {
    const opener = document.createElement('button');
    opener.textContent = 'open';
    document.body.appendChild(opener);
    opener.focus();
    const { unmount } = render(
      <RowDialog
        rowNumber={1}
        total={1}
        columns={['a']}
        values={['x']}
        onMove={() => undefined}
        onClose={() => undefined}
      />,
    );
    expect(document.activeElement?.textContent).toBe('Close');
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
