// A modal dialog for the draft editor and the row view: backdrop, Escape closes, Tab stays inside, focus starts on
// `initialFocus` and returns where it was.
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

export function Modal({
  label,
  onClose,
  children,
  initialFocus,
  role = 'dialog',
  wide,
}: {
  label: string;
  onClose: () => void;
  children: ReactNode;
  initialFocus?: RefObject<HTMLElement | null>;
  role?: 'dialog' | 'alertdialog';
  wide?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    (initialFocus?.current ?? box.current?.querySelector<HTMLElement>('input, textarea, button'))?.focus();
    // Focus goes back where it was (the button that opened the dialog), unless the closer moved it elsewhere.
    return () => {
      if (before?.isConnected && (document.activeElement === document.body || document.activeElement === null))
        before.focus();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role={role}
        aria-modal="true"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Tab' && box.current) {
            // Keep Tab inside the dialog.
            const items = [
              ...box.current.querySelectorAll<HTMLElement>(
                'button:not(:disabled), input:not(:disabled), textarea, select, a[href]',
              ),
            ];
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last?.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first?.focus();
            }
          }
        }}
      >
        {children}
      </div>
    </div>
  );
}
