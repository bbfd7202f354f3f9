import { Link } from "react-router";

import { EmptyState } from "../ui/Feedback";

export function NotFound() {
  return (
    <div className="page">
      <EmptyState title="No such page">
        <Link to="/">Back to Home</Link>
      </EmptyState>
    </div>
  );
}
