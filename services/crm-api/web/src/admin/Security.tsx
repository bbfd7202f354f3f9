/** The security posture of this crm-api, as a checklist an admin can read in a minute. */
import "./ui/admin.css";

import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { formatDateTime } from "../lib/format";
import { Button } from "../ui/Button";
import { PageHeader, SkeletonRows } from "../ui/Feedback";
import { securityChecks } from "./securityChecks";
import { ErrorState, RequireAdmin } from "./ui/States";

const MARK = { ok: "✓", warn: "!", info: "i" } as const;
const STATE_WORD = { ok: "good", warn: "worth a look", info: "for information" } as const;

function SecurityStatus() {
  const status = useQuery({ queryKey: ["security", "status"], queryFn: () => unwrap(api.GET("/api/security/status")) });
  if (status.isPending) return <SkeletonRows rows={8} />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const checks = securityChecks(status.data);
  const warnings = checks.filter((check) => check.state === "warn").length;
  return (
    <>
      <div className={warnings ? "callout callout--warn" : "callout callout--ok"} role="status">
        <div className="callout__title">
          {warnings ? `${warnings} ${warnings === 1 ? "thing is" : "things are"} worth a look` : "Everything checked looks right"}
        </div>
        As of {formatDateTime(new Date(status.dataUpdatedAt))}.
      </div>
      <section className="card" aria-labelledby="checks-title">
        <div className="card__title">
          <h2 id="checks-title">Checklist</h2>
          <Button small onClick={() => void status.refetch()} disabled={status.isFetching}>
            {status.isFetching ? "Checking…" : "Check again"}
          </Button>
        </div>
        <ul className="checklist">
          {checks.map((check) => (
            <li key={check.id} className="checklist__item">
              <span className={`checklist__mark checklist__mark--${check.state}`} aria-hidden="true">
                {MARK[check.state]}
              </span>
              <span>
                <span className="checklist__title">{check.title}</span>
                <span className="visually-hidden"> ({STATE_WORD[check.state]})</span>
                <br />
                <span className="muted">{check.detail}</span>
              </span>
              <span className="checklist__value">{check.value}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export default function Security() {
  return (
    <RequireAdmin what="The security status">
      <div className="page ops-page">
        <PageHeader title="Security" subtitle="How this server is set up: what is good, and what deserves a look." />
        <SecurityStatus />
      </div>
    </RequireAdmin>
  );
}
