// Asks before something that cannot be undone (discarding a draft, removing a column); the action's error shows in the dialog.
import { useRef, useState, type ReactNode } from 'react';
import { errorMessage } from './common';
import { Modal } from './modal';
import { handler } from '../lib/event-handler';

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Modal label={title} onClose={onClose} role="alertdialog" initialFocus={cancel}>
      <div className="modal-head">
        <strong>{title}</strong>
      </div>
      <div className="modal-body">
        {children}
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
      <div className="modal-foot">
        <button type="button" ref={cancel} className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={handler(async () => {
            setBusy(true);
            setError(null);
            try {
              await onConfirm();
            } catch (e) {
              setError(errorMessage(e));
              setBusy(false);
            }
          })}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
