import type { ReactNode } from "react";
import { Link } from "react-router";

import { ApiError } from "../../api/problem";
import { isAdmin, useUser } from "../../auth/session";
import { Button } from "../../ui/Button";
import { EmptyState } from "../../ui/Feedback";

/** The page a signed-in person sees where they may not go: a clear 403, not a crash. */
export function ForbiddenState({ what = "This page" }: { what?: string }) {
  return (
    <div className="page ops-page">
      <EmptyState title="Admins only">
        <p>{what} is for administrators. Ask an admin of your fund if you need it.</p>
        <Link to="/">Back to Home</Link>
      </EmptyState>
    </div>
  );
}

/** Renders its children only for admins; everyone else gets the 403 state. */
export function RequireAdmin({ what, children }: { what?: string; children: ReactNode }) {
  const user = useUser();
  if (!isAdmin(user)) return <ForbiddenState what={what} />;
  return <>{children}</>;
}

/** Why a request failed, in words, with a way to try again. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  let title = "Something went wrong";
  let detail = "The server did not answer as expected.";
  if (error instanceof ApiError) {
    if (error.status === 403) {
      title = "Not allowed";
      detail = error.problem.detail ?? "Your role does not allow this.";
    } else if (error.status === 503) {
      title = "Service unavailable";
      detail = error.problem.detail ?? "A service this page needs is not running. Try again in a moment.";
    } else {
      title = error.problem.title;
      detail = error.problem.detail ?? `The server answered ${error.status}.`;
    }
  } else if (error instanceof Error) {
    detail = error.message;
  }
  return (
    <div role="alert" className="state-error">
      <EmptyState title={title}>
        <p>{detail}</p>
        {onRetry && <Button onClick={onRetry}>Try again</Button>}
      </EmptyState>
    </div>
  );
}

/** A short problem line for a failed action (not a field): under a form or in a toast. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
