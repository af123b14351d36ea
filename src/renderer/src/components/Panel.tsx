import type { ReactNode } from 'react';

interface PanelProps {
  /** Accessible name of the region and its visible heading. */
  title: string;
  /** Extra controls on the heading line. */
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** A named region (`<section aria-label>`), with a heading line and optional actions. */
export function Panel({ title, actions, className, children }: PanelProps) {
  return (
    <section className={`panel ${className ?? ''}`} aria-label={title}>
      <header className="panel-header">
        <h2>{title}</h2>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
