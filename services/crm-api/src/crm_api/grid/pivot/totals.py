"""The pivot's totals: per fund, per stage and overall, per currency, exact (integer cents),
added up here over loaded cells or by the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from crm_api.grid.facts import CellFacts, RowFacts
from crm_api.grid.pivot import repository


def money(cents: int | None) -> str | None:
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


class _Sum:
    __slots__ = ("committed", "count", "expected", "funded")

    def __init__(self) -> None:
        self.count = 0
        self.expected = 0
        self.committed = 0
        self.funded = 0

    def merge(self, other: _Sum) -> None:
        self.count += other.count
        self.expected += other.expected
        self.committed += other.committed
        self.funded += other.funded

    def add(self, cell: CellFacts) -> None:
        self.count += 1
        self.expected += cell.expected or 0
        self.committed += cell.committed or 0
        self.funded += cell.funded or 0


def _render_sums(sums: dict[str, _Sum]) -> list[dict[str, Any]]:
    return [
        {
            "currency": currency,
            "count": s.count,
            "expected_amount": money(s.expected),
            "committed_amount": money(s.committed),
            "funded_amount": money(s.funded),
        }
        for currency, s in sorted(sums.items())
    ]


def _cents_sum(count: int, expected: int, committed: int, funded: int) -> _Sum:
    found = _Sum()
    found.count, found.expected, found.committed, found.funded = count, expected, committed, funded
    return found


def totals_from_sql(
    session: Session, rows: list[RowFacts], fund_ids: set[str], *, whole: bool = False
) -> dict[str, Any]:
    """The same totals as `totals_of`, added up by the database (the cells are not loaded)."""
    by_fund: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    by_stage: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    overall: dict[str, _Sum] = defaultdict(_Sum)
    found = repository.totals(session, rows=rows, whole=whole) if rows else []
    for fund_id, stage, currency, count, expected, committed, funded in found:
        if fund_id not in fund_ids:
            continue
        part = _cents_sum(count, expected, committed, funded)
        for target in (by_fund[fund_id][currency], by_stage[stage][currency], overall[currency]):
            target.merge(part)
    return {
        "rows": len(rows),
        "by_fund": {fund_id: _render_sums(s) for fund_id, s in by_fund.items()},
        "by_stage": {stage: _render_sums(s) for stage, s in sorted(by_stage.items())},
        "overall": _render_sums(overall),
    }


def totals_of(rows: Iterable[RowFacts], fund_ids: set[str]) -> dict[str, Any]:
    """Per fund, per stage and overall, per currency: the sums of the rows' live opportunities."""
    by_fund: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    by_stage: dict[str, dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    overall: dict[str, _Sum] = defaultdict(_Sum)
    count = 0
    for row in rows:
        count += 1
        for fund_id, cell in row.cells.items():
            if fund_id not in fund_ids:
                continue
            by_fund[fund_id][cell.currency].add(cell)
            by_stage[cell.stage][cell.currency].add(cell)
            overall[cell.currency].add(cell)
    return {
        "rows": count,
        "by_fund": {fund_id: _render_sums(s) for fund_id, s in by_fund.items()},
        "by_stage": {stage: _render_sums(s) for stage, s in sorted(by_stage.items())},
        "overall": _render_sums(overall),
    }
