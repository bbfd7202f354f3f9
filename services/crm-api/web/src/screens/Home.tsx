import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { useUser } from "../auth/session";
import { formatCompactMoney, formatDate, formatNumber, formatRelative } from "../lib/format";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";

type FollowUp = components["schemas"]["FollowUpView"];

/** "Due by today": the API's due_before is exclusive. */
function tomorrowIso(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

function Stat({ label, value, to }: { label: string; value: number | undefined; to: string }) {
  return (
    <Link to={to} className="card stat">
      <span className="stat__value num">{value === undefined ? "…" : formatNumber(value)}</span>
      <span className="stat__label">{label}</span>
    </Link>
  );
}

function FollowUpList({ items, empty }: { items: FollowUp[]; empty: string }) {
  if (items.length === 0) return <EmptyState title="Nothing due">{empty}</EmptyState>;
  return (
    <ul className="list">
      {items.map((item) => (
        <li key={item.id} className="list__item">
          <div>
            <div className="list__title">{item.title}</div>
            <div className="muted">due {formatDate(item.due_date)}</div>
          </div>
          {item.is_overdue && <Badge tone="danger">overdue</Badge>}
        </li>
      ))}
    </ul>
  );
}

export default function Home() {
  const user = useUser();
  const dashboard = useQuery({ queryKey: ["reports", "dashboard"], queryFn: () => unwrap(api.GET("/api/reports/dashboard")) });
  const [tomorrow] = useState(tomorrowIso);
  const mine = useQuery({
    queryKey: ["follow-ups", { owner_id: user.id, status: "open", due_before: tomorrow }],
    queryFn: () =>
      unwrap(api.GET("/api/follow-ups", { params: { query: { owner_id: user.id, status: "open", due_before: tomorrow, limit: 10, sort: "due_date" } } })),
  });
  const team = useQuery({
    queryKey: ["follow-ups", { status: "open", overdue: true }],
    queryFn: () => unwrap(api.GET("/api/follow-ups", { params: { query: { status: "open", overdue: true, limit: 10, sort: "due_date" } } })),
  });
  const proposals = useQuery({
    queryKey: ["proposals", { status: "pending" }],
    queryFn: () => unwrap(api.GET("/api/proposals", { params: { query: { status: "pending", limit: 5 } } })),
  });
  const review = useQuery({
    queryKey: ["resolver", "review", { status: "open" }],
    queryFn: () => unwrap(api.GET("/api/resolver/review", { params: { query: { status: "open", limit: 1 } } })),
    retry: false,
  });
  const [fundId, setFundId] = useState("");
  const funds = useQuery({
    queryKey: ["funds", { limit: 100 }],
    queryFn: () => unwrap(api.GET("/api/funds", { params: { query: { limit: 100 } } })),
  });
  const pipeline = useQuery({
    queryKey: ["reports", "pipeline", fundId || null],
    queryFn: () => unwrap(api.GET("/api/reports/pipeline", { params: { query: { fund_id: fundId || undefined } } })),
  });
  const activity = useQuery({
    queryKey: ["activity", { limit: 8 }],
    queryFn: () => unwrap(api.GET("/api/grid/activity", { params: { query: { limit: 8 } } })),
  });

  const teamOnly = (team.data?.items ?? []).filter((item) => item.owner_id !== user.id);

  return (
    <div className="page">
      <PageHeader title={`Good to see you, ${user.display_name}`} subtitle="What needs you today" />
      <section className="stats" aria-label="At a glance">
        <Stat label="My follow-ups due" value={mine.data?.total} to="/follow-ups?mine=1" />
        <Stat label="Team follow-ups overdue" value={team.data?.total} to="/follow-ups?overdue=1" />
        <Stat label="Agent proposals waiting" value={proposals.data?.total} to="/agents" />
        <Stat label="Review queue" value={review.data?.total} to="/review" />
        <Stat label="Open opportunities" value={dashboard.data?.open_opportunities} to="/pipeline" />
      </section>
      <div className="grid-cards home-cards">
        <section className="card" aria-labelledby="mine-title">
          <div className="card__title">
            <h2 id="mine-title">My follow-ups</h2>
          </div>
          {mine.isPending ? <SkeletonRows rows={3} /> : <FollowUpList items={mine.data?.items ?? []} empty="Follow-ups you owe, due today or earlier, appear here." />}
        </section>
        <section className="card" aria-labelledby="team-title">
          <div className="card__title">
            <h2 id="team-title">The team's overdue</h2>
          </div>
          {team.isPending ? <SkeletonRows rows={3} /> : <FollowUpList items={teamOnly} empty="No one on the team is late on a follow-up." />}
        </section>
        <section className="card" aria-labelledby="pipeline-title">
          <div className="card__title">
            <h2 id="pipeline-title">Pipeline</h2>
            <div className="row">
              <label className="visually-hidden" htmlFor="home-fund">
                Fund
              </label>
              <select id="home-fund" className="select home-fund" value={fundId} onChange={(event) => setFundId(event.target.value)}>
                <option value="">All funds</option>
                {(funds.data?.items ?? []).map((fund) => (
                  <option key={fund.id} value={fund.id}>
                    {fund.name}
                  </option>
                ))}
              </select>
              <Link to={fundId ? `/pipeline?fund_id=${fundId}` : "/pipeline"}>Open</Link>
            </div>
          </div>
          {pipeline.isPending ? (
            <SkeletonRows rows={4} />
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col" className="num">
                    Deals
                  </th>
                  <th scope="col" className="num">
                    Expected
                  </th>
                </tr>
              </thead>
              <tbody>
                {(pipeline.data?.stages ?? []).map((stage) => (
                  <tr key={stage.stage}>
                    <td>{stage.label}</td>
                    <td className="num">{formatNumber(stage.opportunities)}</td>
                    <td className="num">
                      {stage.amounts.map((amount) => formatCompactMoney(amount.expected, amount.currency)).join(" · ") || "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="activity-title">
          <div className="card__title">
            <h2 id="activity-title">Recent activity</h2>
          </div>
          {activity.isPending ? (
            <SkeletonRows rows={4} />
          ) : (activity.data?.items.length ?? 0) === 0 ? (
            <EmptyState title="Quiet so far">Changes by the team and its agents show here.</EmptyState>
          ) : (
            <ul className="list">
              {activity.data?.items.map((item) => (
                <li key={`${item.at}-${item.entity_id}-${item.action}`} className="list__item">
                  <span>{item.summary}</span>
                  <span className="muted">{formatRelative(item.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}
