import { useEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  /** Accessible name and visible title. */
  title: string;
  open: boolean;
  onClose(): void;
  className?: string;
  children: ReactNode;
}

/** A modal `<dialog>` (focus kept inside, Esc closes, the page behind is inert) with a title and a Close button. */
export function Dialog({ title, open, onClose, className, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ''}`}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header className="dialog-header">
            <h2>{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              ✕
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}
