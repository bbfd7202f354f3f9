"""The rule engine: runs rules over grid rows, and records each run with what it changed.

A rule's condition is interpreted by crm_api.grid.conditions over the rows' facts; an action that
would change nothing is not applied (create_follow_up: not again while an open one has the
title), so running a rule twice changes nothing the second time.

When rules run:
- on change (crm_api.automations.handlers): every active on-change rule, in position order, over
  the rows an event touched, again until nothing changes (at most MAX_PASSES), so that rules that
  feed each other settle within one event; the automations' own changes do not trigger them again;
- on a schedule (crm_api.automations.scheduler), over every row;
- by hand (`run_rule`), over every row or some, and as a dry run, which reports what it would
  change and writes nothing but its run record.

Every run is recorded (`grid_rule_run`) with what it changed; writes go through the grid, list,
and follow-up services as the `automations` service actor (audit, interaction log, events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from crm_api.auth.principal import Principal, Role
from crm_api.automations import lists, repository, rules
from crm_api.automations.models import GridRule, GridRuleRun
from crm_api.automations.schemas import (
    Action,
    AddToList,
    CreateFollowUp,
    DraftDryRun,
    RemoveFromList,
    RuleChange,
    RuleDefinition,
    RuleRunFilter,
    RuleRunPage,
    RuleRunRead,
    SetField,
    SetFlag,
)
from crm_api.database import utcnow
from crm_api.followups import service as followups
from crm_api.followups.schemas import FollowUpCreate
from crm_api.grid import conditions, facts
from crm_api.grid.facts import RowFacts
from crm_api.grid.pivot import service as grid_pivot
from crm_api.grid.rows import service as grid_rows
from crm_api.grid.rows.schemas import GridRowUpdate
from crm_api.kit.errors import RecordNotFound
from crm_common.errors import CRMError
from crm_common.events import Actor

MAX_PASSES = 5
_ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[Action])


@dataclass(frozen=True)
class ServicePrincipal(Principal):
    """crm-api itself acting (the automations): its events and logs name a service actor."""

    @property
    def actor(self) -> Actor:
        return Actor(kind="service", id=self.id, name=self.name)


AUTOMATIONS = ServicePrincipal(
    kind="agent",
    id="crm-api:automations",
    name="automations",
    role=Role.AGENT,
    user_id="crm-api:automations",
)


def is_automation(actor: Actor) -> bool:
    return actor.kind == "service" and actor.id == AUTOMATIONS.id


# -- running -------------------------------------------------------------------------------------


@dataclass
class Program:
    """A rule, parsed: what the interpreter runs."""

    rule_id: str | None
    condition: conditions.Condition
    actions: list[Action]
    otherwise: list[Action]

    @classmethod
    def of(cls, rule: GridRule) -> Program:
        return cls(
            rule_id=rule.id,
            condition=conditions.parse(rule.condition),
            actions=_ACTIONS.validate_python(rule.actions or []),
            otherwise=_ACTIONS.validate_python(rule.otherwise or []),
        )

    @classmethod
    def draft(cls, definition: RuleDefinition) -> Program:
        return cls(
            rule_id=None,
            condition=definition.condition,
            actions=list(definition.actions),
            otherwise=list(definition.otherwise),
        )

    def paths(self) -> set[str]:
        return conditions.paths(self.condition)

    def creates_follow_ups(self) -> bool:
        return any(isinstance(a, CreateFollowUp) for a in [*self.actions, *self.otherwise])


@dataclass
class Context:
    """The rows a run looks at, with what its rules need to know about them."""

    rows: dict[str, RowFacts]
    follow_ups: dict[str, set[str]] = field(default_factory=dict)


def load_context(session: Session, programs: list[Program], row_ids: list[str] | None) -> Context:
    paths: set[str] = set().union(*(p.paths() for p in programs)) if programs else set()
    rows = grid_pivot.load_facts(session, row_ids=row_ids, touch=facts.needs_touch(paths))
    context = Context(rows=rows)
    if any(p.creates_follow_ups() for p in programs):
        context.follow_ups = repository.open_follow_up_titles(
            session,
            organization_ids={r.organization_id for r in rows.values() if r.organization_id},
            contact_ids={r.contact_id for r in rows.values() if r.contact_id},
        )
    return context


def _planned(
    program: Program, row: RowFacts, context: Context, now: datetime
) -> tuple[bool, list[tuple[Action, str, Any, Any]]]:
    """(whether the condition held, the actions that would change something: action, target,
    before, after)."""
    holds = conditions.evaluate(program.condition, row, now)
    changes: list[tuple[Action, str, Any, Any]] = []
    for action in program.actions if holds else program.otherwise:
        if isinstance(action, AddToList):
            if action.list not in row.lists:
                changes.append((action, action.list, False, True))
        elif isinstance(action, RemoveFromList):
            if action.list in row.lists:
                changes.append((action, action.list, True, False))
        elif isinstance(action, SetFlag):
            has = action.flag in row.flags
            if has != action.value:
                changes.append((action, action.flag, has, action.value))
        elif isinstance(action, SetField):
            current = facts.value_of(row, action.field, now)
            if current != action.value:
                changes.append((action, action.field, current, action.value))
        elif isinstance(action, CreateFollowUp):
            titles = context.follow_ups.get(row.investor_id, set())
            if action.title.casefold() not in titles:
                changes.append((action, action.title, None, action.title))
    return holds, changes


def _simulate(row: RowFacts, context: Context, action: Action, after: Any) -> None:
    """Update the row's facts as if the action had applied (for the rules that run after)."""
    if isinstance(action, AddToList):
        row.lists.add(action.list)
    elif isinstance(action, RemoveFromList):
        row.lists.discard(action.list)
    elif isinstance(action, SetFlag):
        row.flags = sorted(
            set(row.flags) | {action.flag} if after else set(row.flags) - {action.flag}
        )
    elif isinstance(action, SetField):
        if action.field == "lead_source":
            row.lead_source = after
        else:
            key = action.field.removeprefix("values.")
            if after is None:
                row.values.pop(key, None)
            else:
                row.values[key] = after
    elif isinstance(action, CreateFollowUp):
        context.follow_ups.setdefault(row.investor_id, set()).add(action.title.casefold())


def _apply(
    session: Session,
    row: RowFacts,
    program: Program,
    action: Action,
    after: Any,
    now: datetime,
    by: Principal,
) -> None:
    if isinstance(action, AddToList):
        lists.add_member(
            session, lists.live_list(session, action.list), row.id, program.rule_id, by
        )
    elif isinstance(action, RemoveFromList):
        lists.remove_member(session, lists.live_list(session, action.list), row.id, by)
    elif isinstance(action, SetFlag | SetField):
        if isinstance(action, SetFlag):
            flags = set(row.flags)
            flags = flags | {action.flag} if after else flags - {action.flag}
            change = GridRowUpdate(flags=sorted(flags))
        elif action.field == "lead_source":
            change = GridRowUpdate(lead_source=after)
        else:
            change = GridRowUpdate(values={action.field.removeprefix("values."): after})
        state = grid_rows.update_row(
            session, record_id=row.id, data=change, expected_version=row.version, by=by
        )
        row.version = state["version"]
        row.values = dict(state["values"])
    elif isinstance(action, CreateFollowUp):
        followups.create(
            session,
            data=FollowUpCreate(
                title=action.title,
                notes=action.notes,
                due_date=(now + timedelta(days=action.due_in_days)).date(),
                owner_id=action.owner_id,
                organization_id=row.organization_id,
                contact_id=row.contact_id,
            ),
            by=by,
        )


@dataclass
class _Tally:
    evaluated: set[str] = field(default_factory=set)
    matched: set[str] = field(default_factory=set)
    changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _pass(
    session: Session,
    programs: list[Program],
    context: Context,
    tally: _Tally,
    *,
    now: datetime,
    by: Principal,
    dry_run: bool,
) -> int:
    """Run each program over each row once; returns how many changes it made."""
    made = 0
    for row in sorted(context.rows.values(), key=lambda r: (r.position, r.id)):
        for program in programs:
            tally.evaluated.add(row.id)
            holds, planned = _planned(program, row, context, now)
            if holds:
                tally.matched.add(row.id)
            for action, target, before, after in planned:
                if not dry_run:
                    try:
                        with session.begin_nested():
                            _apply(session, row, program, action, after, now, by)
                    except CRMError as exc:
                        tally.errors.append(f"row {row.id}, {action.type} {target}: {exc.detail}")
                        continue
                _simulate(row, context, action, after)
                made += 1
                tally.changes.append(
                    RuleChange(
                        row_id=row.id,
                        rule_id=program.rule_id,
                        action=action.type,
                        target=target,
                        before=before,
                        after=after,
                    ).model_dump(mode="json")
                )
    return made


def _record_run(
    session: Session,
    *,
    rule_id: str | None,
    trigger: str,
    tally: _Tally,
    started_at: datetime,
    by: Principal,
    event_id: str | None = None,
    dry_run: bool = False,
) -> RuleRunRead:
    run = GridRuleRun(
        rule_id=rule_id,
        trigger=trigger,
        is_dry_run=dry_run,
        event_id=event_id,
        actor=by.actor.model_dump(mode="json"),
        started_at=started_at,
        finished_at=utcnow(),
        status="error" if tally.errors else "ok",
        rows_evaluated=len(tally.evaluated),
        rows_matched=len(tally.matched),
        change_count=len(tally.changes),
        changes=tally.changes,
        error="\n".join(tally.errors)[:20_000] or None,
    )
    repository.add_run(session, run)
    return run_read(run)


def run_read(run: GridRuleRun) -> RuleRunRead:
    return RuleRunRead.model_validate(
        {
            "id": run.id,
            "rule_id": run.rule_id,
            "trigger": run.trigger,
            "is_dry_run": run.is_dry_run,
            "event_id": run.event_id,
            "actor": run.actor,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status": run.status,
            "rows_evaluated": run.rows_evaluated,
            "rows_matched": run.rows_matched,
            "changes": run.changes,
            "error": run.error,
        }
    )


def run_rule(
    session: Session,
    *,
    rule_id: str,
    trigger: str,
    now: datetime,
    requested_by: Principal = AUTOMATIONS,
    row_ids: list[str] | None = None,
    dry_run: bool = False,
) -> RuleRunRead:
    """Run one rule over every row (or `row_ids`); a dry run changes nothing but its record.

    The changes are the automations' (their events name the service actor); the run records who
    asked for it."""
    started_at = utcnow()
    rule = rules.get_rule(session, rule_id=rule_id)
    program = Program.of(rule)
    context = load_context(session, [program], row_ids)
    tally = _Tally()
    _pass(session, [program], context, tally, now=now, by=AUTOMATIONS, dry_run=dry_run)
    return _record_run(
        session,
        rule_id=rule.id,
        trigger="dry_run" if dry_run else trigger,
        tally=tally,
        started_at=started_at,
        by=requested_by,
        dry_run=dry_run,
    )


def dry_run_draft(
    session: Session, *, data: DraftDryRun, now: datetime, by: Principal
) -> RuleRunRead:
    """What a rule not saved yet would change (nothing is changed)."""
    rules.check_actions(session, [*data.actions, *data.otherwise])
    started_at = utcnow()
    program = Program.draft(data)
    context = load_context(session, [program], data.row_ids)
    tally = _Tally()
    _pass(session, [program], context, tally, now=now, by=AUTOMATIONS, dry_run=True)
    return _record_run(
        session,
        rule_id=None,
        trigger="dry_run",
        tally=tally,
        started_at=started_at,
        by=by,
        dry_run=True,
    )


def on_change(
    session: Session, *, row_ids: list[str], now: datetime, event_id: str | None
) -> RuleRunRead | None:
    """Every active on-change rule over the rows an event touched, until nothing changes."""
    active = repository.active_rules(session, on_change=True)
    if not active or not row_ids:
        return None
    started_at = utcnow()
    programs: list[Program] = []
    tally = _Tally()
    for rule in active:
        try:
            programs.append(Program.of(rule))
        except ValueError as exc:  # checked when written; a hand-edited row is reported, not run
            tally.errors.append(f"rule {rule.id} cannot be read: {exc}")
    context = load_context(session, programs, row_ids)
    if not context.rows:
        return None
    for _ in range(MAX_PASSES):
        if not _pass(session, programs, context, tally, now=now, by=AUTOMATIONS, dry_run=False):
            break
    return _record_run(
        session,
        rule_id=None,
        trigger="change",
        tally=tally,
        started_at=started_at,
        by=AUTOMATIONS,
        event_id=event_id,
    )


def due_rules(session: Session, *, now: datetime) -> list[str]:
    """The active scheduled rules whose interval has passed since they last ran."""
    last = repository.schedules(session)
    due = []
    for rule in repository.active_rules(session):
        if rule.schedule_seconds is None:
            continue
        ran = last.get(rule.id)
        if ran is None or ran + timedelta(seconds=rule.schedule_seconds) <= now:
            due.append(rule.id)
    return due


def run_scheduled(session: Session, *, rule_id: str, now: datetime) -> RuleRunRead | None:
    """Run a scheduled rule if it is still due and no other replica is running it."""
    schedule = repository.claim_schedule(session, rule_id)
    if schedule is None:
        return None
    rule = repository.get_rule(session, rule_id)
    if rule is None or rule.deleted_at is not None or not rule.schedule_seconds:
        return None
    ran = schedule.last_run_at
    if ran is not None and ran + timedelta(seconds=rule.schedule_seconds) > now:
        return None  # another replica ran it while this one waited
    schedule.last_run_at = now
    return run_rule(session, rule_id=rule_id, trigger="schedule", now=now)


def search_runs(session: Session, *, filters: RuleRunFilter) -> RuleRunPage:
    found = repository.runs(
        session,
        rule_id=filters.rule_id,
        trigger=filters.trigger,
        changed=filters.changed,
        before=filters.before,
        limit=filters.limit,
    )
    following = found[-1].started_at if len(found) == filters.limit else None
    return RuleRunPage(items=[run_read(r) for r in found], next_before=following)


def read_run(session: Session, *, run_id: str) -> RuleRunRead:
    run = repository.get_run(session, run_id)
    if run is None:
        raise RecordNotFound()
    return run_read(run)
