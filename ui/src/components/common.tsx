// Small shared pieces: links, loading / empty / error states, status badges, the page header.
import { isValidElement, useEffect, type AnchorHTMLAttributes, type ReactNode } from 'react';
import { ApiError } from '../lib/api';
import { navigate } from '../lib/router';
import type { VersionStatus } from '../lib/types';

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(e) => {
        rest.onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** An error as a person reads it; a missing API becomes "not available on this server". */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (error instanceof ApiError && error.notAvailable) {
    return (
      <div className="state unavailable" role="note">
        <strong>Not available on this server.</strong>
        <div className="muted">This server does not have the API behind this page yet. Update Strata to use it.</div>
      </div>
    );
  }
  return (
    <div className="error" role="alert">
      {errorMessage(error)}
      {onRetry ? (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function StatusBadge({ status }: { status: VersionStatus | string }) {
  return <span className={`badge badge-${status}`}>{status === 'processing' ? 'processing…' : status}</span>;
}

/** The text of a React node (strings and numbers of it and its children), for the document title. */
export function textOf(node: ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (isValidElement(node)) return textOf((node.props as { children?: ReactNode }).children);
  return '';
}

/** Sets the tab's title to "<page> · Strata" (every page has a PageHeader, so every page has its own title). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title.trim() ? `${title.trim()} · Strata` : 'Strata';
  }, [title]);
}

export function PageHeader({
  title,
  subtitle,
  actions,
  crumbs,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  crumbs?: Array<{ label: string; to: string }>;
}) {
  useDocumentTitle(textOf(title).replace(/\s+/g, ' '));
  return (
    <div className="page-header">
      {crumbs?.length ? (
        <nav className="crumbs" aria-label="Breadcrumb">
          {crumbs.map((c) => (
            <span key={c.to}>
              <Link to={c.to}>{c.label}</Link> /{' '}
            </span>
          ))}
        </nav>
      ) : null}
      <div className="page-title-row">
        <div>
          <h1>{title}</h1>
          {subtitle ? <div className="muted">{subtitle}</div> : null}
        </div>
        {actions ? <div className="actions">{actions}</div> : null}
      </div>
    </div>
  );
}

export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-bar" style={{ width: `${pct}%` }} />
      <span className="progress-label">
        {label} {pct}%
      </span>
    </div>
  );
}
