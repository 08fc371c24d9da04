// The expanded view of one cell: full text, JSON pretty-printed, copy; Escape closes and focus returns to the grid.
import { useEffect, useRef } from 'react';
import { cellKind, fullCell } from '../lib/format';
import { chatOf } from '../lib/chat';
import { ChatMessages } from './chat-messages';

export function CellDialog({
  column,
  rowNumber,
  value,
  onClose,
}: {
  column: string;
  rowNumber: number;
  value: unknown;
  onClose: () => void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
  }, []);
  const text = fullCell(value);
  const kind = cellKind(value);
  const chat = chatOf(value);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={`Row ${rowNumber}, ${column}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <div className="modal-head">
          <strong>
            Row {rowNumber} · {column}
          </strong>
          <span className="muted">{kind === 'json' ? 'JSON' : kind}</span>
          <span className="spacer" />
          <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(text)}>
            Copy
          </button>
          <button type="button" ref={closeRef} onClick={onClose}>
            Close
          </button>
        </div>
        {/* Chat rendering (issue 12 item 12): messages-style cells as role bubbles, the raw text one click away. */}
        {chat ? (
          <div className="cell-full">
            <ChatMessages messages={chat} label={`${column} messages`} />
            <details>
              <summary>Raw</summary>
              <pre className={`cell-${kind}`}>{text}</pre>
            </details>
          </div>
        ) : (
          <pre className={`cell-full cell-${kind}`}>{text}</pre>
        )}
      </div>
    </div>
  );
}
