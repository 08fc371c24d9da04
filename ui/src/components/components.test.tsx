import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { session } from '../lib/session';
import { ApiKeyPrompt } from './api-key-prompt';
import { CellDialog } from './cell-dialog';
import { ErrorNote, ProgressBar } from './common';
import { ApiError } from '../lib/api';
import { UploadPanel } from './upload-panel';
import { withQueries } from '../lib/query-test-support';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('CellDialog', () => {
  it('shows JSON pretty-printed and closes on Escape', () => {
    const onClose = vi.fn();
    render(<CellDialog column="meta" rowNumber={3} value={'{"a":[1,2]}'} onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Row 3, meta' });
    expect(dialog.querySelector('pre')?.textContent).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(document.activeElement?.textContent).toBe('Close');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledOnce();
  });
});

describe('ApiKeyPrompt', () => {
  it('stores a pasted key for this browser and continues', () => {
    const onReady = vi.fn();
    render(withQueries(<ApiKeyPrompt onReady={onReady} />));
    const use = screen.getByRole('button', { name: 'Use this key' });
    expect((use as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: '  sk_pasted  ' } });
    fireEvent.click(use);
    expect(session.apiKey()).toBe('sk_pasted');
    expect(onReady).toHaveBeenCalledOnce();
  });
});

describe('UploadPanel', () => {
  it('refuses an unsupported file before uploading', () => {
    render(<UploadPanel groupId={1} onChanged={() => undefined} />);
    const input = screen.getByTestId('file-input');
    fireEvent.change(input, { target: { files: [new File(['x'], 'sheet.xlsx')] } });
    expect(screen.getByRole('alert').textContent).toMatch(/“sheet.xlsx” is not a supported file/);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Upload' }).disabled).toBe(true);
  });

  it('accepts a CSV and enables Upload', () => {
    render(<UploadPanel groupId={1} onChanged={() => undefined} />);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['a\n1\n'], 'data.csv')] } });
    expect(screen.getByText('data.csv')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Upload' }).disabled).toBe(false);
  });
});

describe('common states', () => {
  it('says "not available" for a missing API and shows other errors as alerts', () => {
    render(<ErrorNote error={new ApiError(404, 'x', true)} />);
    expect(screen.getByText('Not available on this server.')).toBeTruthy();
    cleanup();
    render(<ErrorNote error={new ApiError(400, 'name: too short')} />);
    expect(screen.getByRole('alert').textContent).toBe('name: too short');
  });

  it('reports progress as a percentage', () => {
    render(<ProgressBar fraction={0.426} label="Uploading" />);
    const bar = screen.getByRole('progressbar', { name: 'Uploading' });
    expect(bar.getAttribute('aria-valuenow')).toBe('43');
    expect(bar.textContent).toBe('Uploading 43%');
  });
});
