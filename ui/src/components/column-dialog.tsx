// Adding a column to a draft, or renaming / removing one: one dialog, the API's error shown next to the field that failed.
import { useState } from 'react';
import { errorMessage } from './common';
import { Modal } from './modal';

export type ColumnDialogMode = { kind: 'add' } | { kind: 'edit'; column: string };

export interface ColumnActions {
  add(name: string, defaultValue: string | null): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(name: string): Promise<void>;
}

export function ColumnDialog({
  mode,
  actions,
  onClose,
}: {
  mode: ColumnDialogMode;
  actions: ColumnActions;
  onClose: () => void;
}) {
  const [name, setName] = useState(mode.kind === 'edit' ? mode.column : '');
  const [defaultValue, setDefaultValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  const title = mode.kind === 'add' ? 'Add a column' : `Column “${mode.column}”`;
  return (
    <Modal label={title} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() === '') return setError('Give the column a name.');
          if (mode.kind === 'add') void run(() => actions.add(name, defaultValue === '' ? null : defaultValue));
          else if (name !== mode.column) void run(() => actions.rename(mode.column, name));
          else onClose();
        }}
      >
        <div className="modal-head">
          <strong>{title}</strong>
        </div>
        <div className="modal-body column-form">
          <label>
            <span>{mode.kind === 'add' ? 'Name' : 'New name'}</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'column-error' : undefined}
            />
          </label>
          {mode.kind === 'add' ? (
            <label>
              <span>Value for existing rows (optional, text)</span>
              <input value={defaultValue} onChange={(e) => setDefaultValue(e.target.value)} placeholder="null" />
            </label>
          ) : null}
          {error ? (
            <div className="error" role="alert" id="column-error">
              {error}
            </div>
          ) : null}
          {mode.kind === 'edit' && confirmRemove ? (
            <div className="confirm-inline" role="group" aria-label="Confirm removal">
              <span>Remove “{mode.column}” and its cell in every row of this draft?</span>
              <button
                type="button"
                className="danger small"
                disabled={busy}
                onClick={() => void run(() => actions.remove(mode.column))}
              >
                Remove it
              </button>
              <button type="button" className="secondary small" onClick={() => setConfirmRemove(false)}>
                Keep it
              </button>
            </div>
          ) : null}
        </div>
        <div className="modal-foot">
          {mode.kind === 'edit' ? (
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirmRemove(true)}>
              Remove column…
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {mode.kind === 'add' ? 'Add column' : 'Rename'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
