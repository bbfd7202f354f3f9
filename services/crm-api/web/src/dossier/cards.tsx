import { Link } from "react-router";

import { formatDate, formatMoney } from "../lib/format";
import { Badge, EmptyState } from "../ui/Feedback";
import { moneyByFund, type CurrencyTotal } from "./money";
import type { LpProfile, Opportunity } from "./queries";

export function Card({ title, id, actions, children, className }: { title: string; id: string; actions?: React.ReactNode; children: React.ReactNode; className?: string }) {
  return (
    <section className={className ? `card ${className}` : "card"} aria-labelledby={id}>
      <div className="card__title">
        <h2 id={id}>{title}</h2>
        {actions && <div className="row">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** The header's money: expected, committed, funded, one line per currency. */
export function MoneySummary({ totals }: { totals: readonly CurrencyTotal[] }) {
  if (totals.length === 0) return <p className="muted">No position in any fund yet.</p>;
  return (
    <div className="money">
      {totals.map((total) => (
        <dl key={total.currency} className="money__currency">
          <div className="money__figure">
            <dt>Expected</dt>
            <dd className="num">{formatMoney(total.expected, total.currency)}</dd>
          </div>
          <div className="money__figure">
            <dt>Committed</dt>
            <dd className="num">{formatMoney(total.committed, total.currency)}</dd>
          </div>
          <div className="money__figure">
            <dt>Funded</dt>
            <dd className="num">{formatMoney(total.funded, total.currency)}</dd>
          </div>
          <div className="money__figure">
            <dt>Funds</dt>
            <dd className="num">{total.opportunities}</dd>
          </div>
        </dl>
      ))}
    </div>
  );
}

/** Opportunities: one row per fund, with totals per currency, each linked to the pipeline. */
export function OpportunitiesTable({
  opportunities,
  fundName,
  stageLabel,
  investorLabel,
}: {
  opportunities: readonly Opportunity[];
  fundName: (id: string) => string;
  stageLabel: (stage: string) => string;
  investorLabel?: ((opportunity: Opportunity) => string | null) | undefined;
}) {
  if (opportunities.length === 0) {
    return <EmptyState title="No opportunities">Add one from the pipeline when they consider a fund.</EmptyState>;
  }
  const { positions, totals } = moneyByFund(opportunities, fundName);
  const byId = new Map(opportunities.map((o) => [o.id, o]));
  const multi = totals.length > 1;
  return (
    <div className="table-wrap">
      <table className="table table--rowheads">
        <caption className="visually-hidden">Positions by fund</caption>
        <thead>
          <tr>
            <th scope="col">Fund</th>
            <th scope="col">Stage</th>
            <th scope="col" className="num">Expected</th>
            <th scope="col" className="num">Committed</th>
            <th scope="col" className="num">Funded</th>
            <th scope="col">Close</th>
          </tr>
        </thead>
        <tbody>
          {positions.map((position) => {
            const opportunity = byId.get(position.opportunityId);
            const investor = opportunity && investorLabel ? investorLabel(opportunity) : null;
            return (
              <tr key={position.opportunityId}>
                <th scope="row" className="cell-wrap">
                  <Link to={`/pipeline?fund_id=${encodeURIComponent(position.fundId)}`}>{position.fundName}</Link>
                  {investor && <div className="muted small">via {investor}</div>}
                </th>
                <td>
                  <Badge tone={position.stage === "closed_lost" ? "danger" : position.stage === "closed_won" || position.stage === "committed" ? "success" : "accent"}>
                    {stageLabel(position.stage)}
                  </Badge>
                </td>
                <td className="num">{formatMoney(position.expected, position.currency)}</td>
                <td className="num">{formatMoney(position.committed, position.currency)}</td>
                <td className="num">{formatMoney(position.funded, position.currency)}</td>
                <td>{position.closeDate ? formatDate(position.closeDate) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          {totals.map((total) => (
            <tr key={total.currency} className="table__total">
              <th scope="row">{multi ? `Total (${total.currency})` : "Total"}</th>
              <td />
              <td className="num">{formatMoney(total.expected, total.currency)}</td>
              <td className="num">{formatMoney(total.committed, total.currency)}</td>
              <td className="num">{formatMoney(total.funded, total.currency)}</td>
              <td />
            </tr>
          ))}
        </tfoot>
      </table>
    </div>
  );
}

const SOON_DAYS = 60;

function expiresSoon(expires: string): boolean {
  return (Date.parse(`${expires}T00:00:00`) - Date.now()) / 86_400_000 <= SOON_DAYS;
}

/** Accreditation with its expiry: current, expiring within 60 days, or lapsed. */
export function AccreditationBadge({ profile }: { profile: LpProfile }) {
  const expires = profile.accreditation_expires_on;
  if (profile.accreditation_status !== "accredited") {
    return <Badge tone="warning">Accreditation: {profile.accreditation_status.replace(/_/g, " ")}</Badge>;
  }
  if (!profile.accreditation_current) return <Badge tone="danger">Accreditation expired {formatDate(expires)}</Badge>;
  if (expires) {
    if (expiresSoon(expires)) return <Badge tone="warning">Accredited · expires {formatDate(expires)}</Badge>;
    return <Badge tone="success">Accredited · until {formatDate(expires)}</Badge>;
  }
  return <Badge tone="success">Accredited</Badge>;
}

export function QpBadge({ profile }: { profile: LpProfile }) {
  const value = profile.qualified_purchaser;
  if (value === "yes" || value === "qualified") return <Badge tone="success">Qualified purchaser</Badge>;
  if (value === "no") return <Badge>Not a QP</Badge>;
  return <Badge>QP: {value.replace(/_/g, " ")}</Badge>;
}

export function LpProfileDetails({ profile, label }: { profile: LpProfile; label: (list: string, value: string | null) => string }) {
  const rows: [string, React.ReactNode][] = [
    ["Investor type", label("investor_type", profile.investor_type)],
    ["Accreditation", <AccreditationBadge key="a" profile={profile} />],
    ["Method", profile.accreditation_method ? profile.accreditation_method.replace(/_/g, " ") : "—"],
    ["Verified on", formatDate(profile.accreditation_verified_on)],
    ["Qualified purchaser", <QpBadge key="q" profile={profile} />],
    ["Offering", profile.offering_exemption ?? "—"],
    ["KYC/AML", profile.kyc_aml_status.replace(/_/g, " ")],
    ["Legal docs signed", formatDate(profile.legal_docs_signed_on)],
    ["Wire received", formatDate(profile.wire_received_on)],
    ["K-1s sent", profile.k1_deliveries.length > 0 ? profile.k1_deliveries.map((k) => k.tax_year).join(", ") : "—"],
  ];
  return (
    <dl className="facts">
      {rows.map(([term, value]) => (
        <div key={term} className="facts__row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Facts({ rows }: { rows: readonly (readonly [string, React.ReactNode])[] }) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0));
  if (shown.length === 0) return <p className="muted">No details recorded.</p>;
  return (
    <dl className="facts">
      {shown.map(([term, value]) => (
        <div key={term} className="facts__row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
