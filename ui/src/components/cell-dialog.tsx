// The expanded view of one cell: full text, JSON pretty-printed, copy; Escape closes and focus returns to the grid.
import { useEffect, useRef } from 'react';
import { cellKind, fullCell } from '../lib/format';

export function CellDialog({ column, rowNumber, value, onClose }: { column: string; rowNumber: number; value: unknown; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
  }, []);
  const text = fullCell(value);
  const kind = cellKind(value);
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
        <pre className={`cell-full cell-${kind}`}>{text}</pre>
      </div>
    </div>
  );
}
