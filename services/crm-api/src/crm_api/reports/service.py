"""Reports, assembled from the database's counts and sums (see repository)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal
from crm_api.followups.models import FollowUp
from crm_api.kit.errors import InvalidValue
from crm_api.reports import repository
from crm_api.reports.schemas import (
    ActivityBucket,
    ActivityReport,
    Bucket,
    CurrencyAmounts,
    CurrencyTotals,
    Dashboard,
    FollowUpCounts,
    FundBreakdown,
    InvestorTypeBreakdown,
    LpBreakdown,
    OverdueFollowUp,
    OverdueFollowUps,
    PipelineReport,
    PipelineStage,
)

CENT = Decimal("0.01")
# The widest activity range: three years of days (and a leap day).
MAX_ACTIVITY_DAYS = 3 * 365 + 1
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
_DEFAULT_SPAN = {Bucket.DAY: 30, Bucket.WEEK: 12 * 7, Bucket.MONTH: 365}


def money(cents: Any) -> str:
    """Integer cents from the database as an exact decimal string: 30 -> '0.30'."""
    return format(Decimal(int(cents or 0)).scaleb(-2).quantize(CENT), "f")


def today() -> date:
    return datetime.now(UTC).date()


def _totals(rows: Iterable[Any]) -> list[CurrencyTotals]:
    return [
        CurrencyTotals(currency=currency, committed=money(committed), funded=money(funded))
        for currency, committed, funded in rows
    ]


def _amounts(
    currency: str, count: int, expected: Any, committed: Any, funded: Any
) -> CurrencyAmounts:
    return CurrencyAmounts(
        currency=currency,
        opportunities=int(count),
        expected=money(expected),
        committed=money(committed),
        funded=money(funded),
    )


def dashboard(session: Session, *, principal: Principal) -> Dashboard:
    now = datetime.now(UTC)
    counts = repository.dashboard_counts(
        session,
        now=now,
        week_ago=now - timedelta(days=7),
        month_ago=now - timedelta(days=30),
        today=now.date(),
        user_id=principal.user_id,
    )
    return Dashboard(
        as_of=now,
        contacts=counts["contacts"],
        organizations=counts["organizations"],
        funds=counts["funds"],
        open_opportunities=counts["open_opportunities"],
        lps=counts["lps"],
        totals=_totals(repository.committed_and_funded(session)),
        communications_last_7_days=counts["communications_last_7_days"],
        communications_last_30_days=counts["communications_last_30_days"],
        follow_ups=FollowUpCounts(
            open=counts["open"],
            overdue=counts["overdue"],
            mine_open=counts["mine_open"],
            mine_overdue=counts["mine_overdue"],
        ),
    )


def pipeline(session: Session, *, fund_id: str | None) -> PipelineReport:
    """Every stage of the pipeline_stage list in its order (empty ones too), then any stage an
    opportunity holds that the list no longer has.

    Raises:
        InvalidValue: `fund_id` names no live fund.
    """
    if fund_id is not None and repository.live_fund(session, fund_id) is None:
        raise InvalidValue(f"fund_id: no live fund {fund_id}", field="fund_id")
    per_stage: dict[str, list[CurrencyAmounts]] = defaultdict(list)
    for stage, *row in repository.pipeline(session, fund_id=fund_id, by_stage=True):
        per_stage[stage].append(_amounts(*row))
    stages = [
        PipelineStage(
            stage=value.value,
            label=value.label,
            is_closed=value.is_closed,
            opportunities=sum(a.opportunities for a in per_stage.get(value.value, [])),
            amounts=per_stage.get(value.value, []),
        )
        for value in repository.pipeline_stages(session)
    ]
    listed = {s.stage for s in stages}
    stages += [
        PipelineStage(
            stage=stage,
            label=stage,
            is_closed=False,
            opportunities=sum(a.opportunities for a in amounts),
            amounts=amounts,
        )
        for stage, amounts in sorted(per_stage.items())
        if stage not in listed
    ]
    totals = [
        _amounts(*row) for row in repository.pipeline(session, fund_id=fund_id, by_stage=False)
    ]
    return PipelineReport(fund_id=fund_id, stages=stages, totals=totals)


def lp_breakdown(session: Session) -> LpBreakdown:
    """LPs per investor type (every type of the list, then any other in use) and per live fund,
    with the committed and funded sums of their counted opportunities."""
    type_counts = {kind: int(n) for kind, n in repository.lps_per_type(session)}
    type_money: dict[str, list[Any]] = defaultdict(list)
    for kind, *row in repository.lp_money_per_type(session):
        type_money[kind].append(row)
    labels = {v.value: v.label for v in repository.investor_types(session)}
    kinds = list(labels) + sorted((set(type_counts) | set(type_money)) - set(labels))
    by_type = [
        InvestorTypeBreakdown(
            investor_type=kind,
            label=labels.get(kind, kind),
            investors=type_counts.get(kind, 0),
            totals=_totals(type_money.get(kind, [])),
        )
        for kind in kinds
    ]
    fund_counts = {fund_id: int(n) for fund_id, n in repository.lps_per_fund(session)}
    fund_money: dict[str, list[Any]] = defaultdict(list)
    for fund_id, *row in repository.lp_money_per_fund(session):
        fund_money[fund_id].append(row)
    by_fund = [
        FundBreakdown(
            fund_id=fund_id,
            fund_name=name,
            investors=fund_counts.get(fund_id, 0),
            totals=_totals(fund_money.get(fund_id, [])),
        )
        for fund_id, name in repository.live_funds(session)
    ]
    return LpBreakdown(by_investor_type=by_type, by_fund=by_fund)


def bucket_start(day: date, bucket: Bucket) -> date:
    if bucket is Bucket.WEEK:
        return day - timedelta(days=day.weekday())
    if bucket is Bucket.MONTH:
        return day.replace(day=1)
    return day


def _next_bucket(start: date, bucket: Bucket) -> date:
    if bucket is Bucket.WEEK:
        return start + timedelta(days=7)
    if bucket is Bucket.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def _bucket_starts(since: date, until: date, bucket: Bucket) -> Iterator[date]:
    start = bucket_start(since, bucket)
    while start <= until:
        yield start
        start = _next_bucket(start, bucket)


def activity_range(since: date | None, until: date | None, bucket: Bucket) -> tuple[date, date]:
    """The days asked for, with defaults (up to today; 30 days, 12 weeks or a year).

    Raises:
        InvalidValue: a day out of range, since after until, or a range over three years.
    """
    for name, value in (("since", since), ("until", until)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidValue(f"{name} must be between {EARLIEST} and {LATEST}", field=name)
    last = until or max(today(), since or EARLIEST)
    first = since or last - timedelta(days=_DEFAULT_SPAN[bucket] - 1)
    if first > last:
        raise InvalidValue("since is after until", field="since")
    if (last - first).days + 1 > MAX_ACTIVITY_DAYS:
        raise InvalidValue(
            f"the range is over three years ({MAX_ACTIVITY_DAYS} days); ask for less",
            field="since",
        )
    return first, last


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def activity(
    session: Session,
    *,
    since: date | None,
    until: date | None,
    bucket: Bucket,
    owner_id: str | None,
) -> ActivityReport:
    """Communications per bucket and type, by when they happened (UTC days); follow-ups created
    and completed per bucket. With an owner: communications logged by, and follow-ups owned by,
    that user. Every bucket of the range is answered, empty ones too."""
    first, last = activity_range(since, until, bucket)
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last, time(), UTC) + timedelta(days=1)
    buckets = {
        day: ActivityBucket(
            start=day,
            communications={},
            communications_total=0,
            follow_ups_created=0,
            follow_ups_completed=0,
        )
        for day in _bucket_starts(first, last, bucket)
    }
    for day, kind, count in repository.communications_per_day(
        session, start=start, end=end, owner_id=owner_id
    ):
        entry = buckets[bucket_start(_day(day), bucket)]
        entry.communications[kind] = entry.communications.get(kind, 0) + int(count)
        entry.communications_total += int(count)
    for column, field in (
        (FollowUp.created_at, "follow_ups_created"),
        (FollowUp.completed_at, "follow_ups_completed"),
    ):
        for day, count in repository.follow_ups_per_day(
            session, column=column, start=start, end=end, owner_id=owner_id
        ):
            entry = buckets[bucket_start(_day(day), bucket)]
            setattr(entry, field, getattr(entry, field) + int(count))
    for entry in buckets.values():
        entry.communications = dict(sorted(entry.communications.items()))
    return ActivityReport(
        since=first, until=last, bucket=bucket, owner_id=owner_id, buckets=list(buckets.values())
    )


def _name(first: str | None, last: str | None) -> str | None:
    if first is None and last is None:
        return None
    return f"{first or ''} {last or ''}".strip()


def overdue_follow_ups(session: Session, *, owner_id: str | None, limit: int) -> OverdueFollowUps:
    """Open follow-ups due before today (UTC), oldest first, with what they are about."""
    day = today()
    total, rows = repository.overdue_follow_ups(session, today=day, owner_id=owner_id, limit=limit)
    items = []
    for row in rows:
        investor = row.investor_organization_name or _name(
            row.investor_first_name, row.investor_last_name
        )
        items.append(
            OverdueFollowUp(
                id=row.id,
                title=row.title,
                due_date=row.due_date,
                days_overdue=(day - row.due_date).days,
                owner_id=row.owner_id,
                contact_id=row.contact_id,
                contact_name=_name(row.contact_first_name, row.contact_last_name),
                organization_id=row.organization_id,
                organization_name=row.organization_name,
                opportunity_id=row.opportunity_id,
                opportunity_name=(
                    f"{investor or '?'} / {row.fund_name or '?'}"
                    if row.opportunity_id is not None
                    else None
                ),
            )
        )
    return OverdueFollowUps(as_of=day, total=total, items=items)
