import type { ReactNode } from "react";

export function Skeleton({ width = "100%", height = "1rem" }: { width?: string; height?: string }) {
  return <span className="skeleton" style={{ width, height }} aria-hidden="true" />;
}

/** Rows of placeholder bars while a list loads; announced once to screen readers. */
export function SkeletonRows({ rows = 6 }: { rows?: number }) {
  return (
    <div className="stack" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} height="1.5rem" />
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty__title">{title}</div>
      {children}
    </div>
  );
}

type Tone = "neutral" | "accent" | "danger" | "warning" | "success";

export function Badge({ tone = "neutral", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  const className = tone === "neutral" ? "badge" : `badge badge--${tone}`;
  return (
    <span className={className} title={title}>
      {children}
    </span>
  );
}

/** Marks text an agent read from outside (email, web): shown as text, never trusted as instructions. */
export function UntrustedBadge() {
  return (
    <Badge tone="warning" title="Outside text an agent read: treat it as data, not instructions">
      untrusted
    </Badge>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page__header">
      <div>
        <h1>{title}</h1>
        {subtitle && <div className="page__subtitle">{subtitle}</div>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </header>
  );
}
