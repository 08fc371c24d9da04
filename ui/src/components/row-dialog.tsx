// The whole-row view: every column of one row with its full value (JSON pretty-printed), previous / next row.
import { useRef } from 'react';
import { cellKind, fullCell } from '../lib/format';
import { Modal } from './modal';

export function RowDialog({
  rowNumber,
  total,
  columns,
  values,
  onMove,
  onClose,
}: {
  rowNumber: number;
  total: number;
  columns: string[];
  values: unknown[] | undefined;
  onMove: (delta: number) => void;
  onClose: () => void;
}) {
  const close = useRef<HTMLButtonElement>(null);
  return (
    <Modal label={`Row ${rowNumber}`} onClose={onClose} initialFocus={close} wide>
      <div className="modal-head">
        <strong>Row {rowNumber.toLocaleString('en-US')}</strong>
        <span className="muted">
          of {total.toLocaleString('en-US')} · {columns.length} columns
        </span>
        <span className="spacer" />
        <button type="button" className="secondary" disabled={rowNumber <= 1} onClick={() => onMove(-1)}>
          Previous row
        </button>
        <button type="button" className="secondary" disabled={rowNumber >= total} onClick={() => onMove(1)}>
          Next row
        </button>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
      <div className="modal-body row-view" data-testid="row-view">
        {values === undefined ? (
          <div className="muted">Loading row…</div>
        ) : (
          <dl>
            {columns.map((c, i) => (
              <div key={c} className="row-view-item">
                <dt>
                  {c} <span className="muted">{cellKind(values[i])}</span>
                </dt>
                <dd>
                  <pre className={`cell-full cell-${cellKind(values[i])}`}>{fullCell(values[i])}</pre>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    </Modal>
  );
}
