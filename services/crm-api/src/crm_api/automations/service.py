"""Automations: lists of grid rows, and rules whose JSON condition and actions are interpreted.

A rule: if its condition (crm_api.grid.conditions) holds for a row, its `actions` apply, else its
`otherwise`. Actions: add_to_list, remove_from_list, set_flag, set_field (lead_source or a custom
column's value), create_follow_up (on the investor; not again while an open one has the title).
An action that would change nothing is not applied, so running a rule twice changes nothing the
second time.

When rules run:
- on change (crm_api.automations.handlers): every active on-change rule, in position order, over
  the rows an event touched, again until nothing changes (at most MAX_PASSES), so that rules that
  feed each other settle within one event; the automations' own changes do not trigger them again;
- on a schedule (crm_api.automations.scheduler), over every row;
- by hand (`run`), over every row or some, and as a dry run, which reports what it would change
  and writes nothing but its run record.

Every run is recorded (`grid_rule_run`) with what it changed; writes go through the grid, list,
and follow-up services as the `automations` service actor (audit, interaction log, events).
Rules and lists are managed by admins. Their rules:
- an action names a live list (422 naming `actions`), a live custom column for set_field, an
  active user as a follow-up's owner;
- the built-in lists and rules may be edited, paused, deleted and restored like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from crm_api.auth import service as users
from crm_api.auth.errors import UnknownUser
from crm_api.auth.principal import Principal, Role
from crm_api.automations import repository
from crm_api.automations.models import GridList, GridListMember, GridRule, GridRuleRun
from crm_api.automations.schemas import (
    Action,
    AddToList,
    CreateFollowUp,
    DraftDryRun,
    GridListCreate,
    GridListIndex,
    GridListMemberRead,
    GridListRead,
    GridListUpdate,
    GridRuleCreate,
    GridRuleList,
    GridRuleRead,
    GridRuleUpdate,
    MemberFilter,
    MemberPage,
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
from crm_api.grid import repository as grid_repository
from crm_api.grid import service as grid
from crm_api.grid.facts import RowFacts
from crm_api.grid.schemas import GridRowUpdate
from crm_api.kit import aggregate
from crm_api.kit.errors import DuplicateRecord, InvalidValue, RecordNotFound
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


# -- lists --------------------------------------------------------------------------------------


def list_read(row: GridList, members: int = 0) -> GridListRead:
    return GridListRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        key=row.key,
        name=row.name,
        description=row.description,
        is_builtin=row.is_builtin,
        members=members,
    )


def list_state(row: GridList) -> dict[str, Any]:
    return list_read(row).model_dump(mode="json", exclude={"members"})


LIST_KIND = aggregate.Kind(name="grid_list", path="/api/grid/lists", state=list_state)


def member_read(row: GridListMember) -> GridListMemberRead:
    return GridListMemberRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        list_id=row.list_id,
        list_key=row.list_key,
        row_id=row.row_id,
        rule_id=row.rule_id,
    )


def member_state(row: GridListMember) -> dict[str, Any]:
    return member_read(row).model_dump(mode="json")


MEMBER_KIND = aggregate.Kind(
    name="grid_list_member",
    path="/api/grid/lists/{key}/members",
    state=member_state,
    title=lambda m: f"row {m.row_id} on list {m.list_key}",
)


def get_list(session: Session, *, list_id: str, include_deleted: bool = False) -> GridList:
    return aggregate.require_live(
        repository.get_list(session, list_id), include_deleted=include_deleted
    )


def live_list(session: Session, key: str) -> GridList:
    """Raises RecordNotFound: no live list with that key."""
    return aggregate.require_live(repository.list_by_key(session, key))


def index_lists(session: Session, *, deleted: str = "exclude") -> GridListIndex:
    counts = repository.member_counts(session)
    return GridListIndex(
        items=[
            list_read(r, counts.get(r.id, 0)) for r in repository.lists(session, deleted=deleted)
        ]
    )


def read_list(session: Session, *, record_id: str) -> GridListRead:
    row = get_list(session, list_id=record_id)
    return list_read(row, repository.member_counts(session).get(row.id, 0))


def create_list(session: Session, *, data: GridListCreate, by: Principal) -> dict[str, Any]:
    existing = repository.list_by_key(session, data.key)
    if existing is not None:
        raise DuplicateRecord(
            f"a list (live or deleted) already has the key {data.key!r}",
            field="key",
            list_id=existing.id,
        )
    row = GridList(key=data.key, name=data.name.strip(), description=data.description)
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session, kind=LIST_KIND, obj=row, actor=by, payload=data.model_dump(mode="json")
    )


def update_list(
    session: Session,
    *,
    record_id: str,
    data: GridListUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get_list(session, list_id=record_id)
    aggregate.expect_version(LIST_KIND, row, expected_version)
    before = list_state(row)
    fields = data.model_dump(exclude_unset=True)
    if "name" in fields:
        if data.name is None or not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        row.name = data.name.strip()
    if "description" in fields:
        row.description = data.description or ""
    return aggregate.updated(
        session,
        kind=LIST_KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete_list(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_list(session, list_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=LIST_KIND, obj=row, actor=by)


def restore_list(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_list(session, list_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=LIST_KIND, obj=row, actor=by)


def purge_list(session: Session, *, record_id: str, by: Principal) -> None:
    row = get_list(session, list_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=LIST_KIND, obj=row, actor=by)


def list_members(session: Session, *, key: str, filters: MemberFilter) -> MemberPage:
    found = repository.list_by_key(session, key)
    if found is None or found.deleted_at is not None:
        raise RecordNotFound(f"no list {key!r}")
    rows, total = repository.members(
        session,
        list_id=found.id,
        deleted=filters.deleted,
        after=filters.cursor,
        limit=filters.limit,
    )
    cursor = rows[filters.limit - 1].id if len(rows) > filters.limit else None
    return MemberPage(
        items=[member_read(r) for r in rows[: filters.limit]],
        next_cursor=cursor,
        total=total,
    )


def _add_member(
    session: Session, list_row: GridList, row_id: str, rule_id: str | None, by: Principal
) -> None:
    existing = repository.membership(session, list_id=list_row.id, row_id=row_id)
    if existing is None:
        member = GridListMember(
            list_id=list_row.id, list_key=list_row.key, row_id=row_id, rule_id=rule_id
        )
        aggregate.stamp_new(member, by)
        session.add(member)
        aggregate.created(
            session, kind=MEMBER_KIND, obj=member, actor=by, targets=[("grid_row", row_id)]
        )
    elif existing.deleted_at is not None:
        existing.rule_id = rule_id
        aggregate.restored(session, kind=MEMBER_KIND, obj=existing, actor=by)


def _remove_member(session: Session, list_row: GridList, row_id: str, by: Principal) -> None:
    existing = repository.membership(session, list_id=list_row.id, row_id=row_id)
    if existing is not None and existing.deleted_at is None:
        aggregate.soft_deleted(session, kind=MEMBER_KIND, obj=existing, actor=by)


# -- rules: reading and writing -----------------------------------------------------------------


def rule_read(row: GridRule, last_scheduled_at: datetime | None = None) -> GridRuleRead:
    return GridRuleRead(
        id=row.id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        deleted_at=row.deleted_at,
        name=row.name,
        description=row.description,
        is_active=row.is_active,
        is_builtin=row.is_builtin,
        on_change=row.on_change,
        schedule_seconds=row.schedule_seconds,
        position=row.position,
        condition=row.condition,
        actions=list(row.actions or []),
        otherwise=list(row.otherwise or []),
        last_scheduled_at=last_scheduled_at,
    )


def rule_state(row: GridRule) -> dict[str, Any]:
    return rule_read(row).model_dump(mode="json", exclude={"last_scheduled_at"})


RULE_KIND = aggregate.Kind(name="grid_rule", path="/api/grid/rules", state=rule_state)


def get_rule(session: Session, *, rule_id: str, include_deleted: bool = False) -> GridRule:
    return aggregate.require_live(
        repository.get_rule(session, rule_id), include_deleted=include_deleted
    )


def read_rule(session: Session, *, record_id: str) -> GridRuleRead:
    return rule_read(
        get_rule(session, rule_id=record_id), repository.schedules(session).get(record_id)
    )


def list_rules(session: Session, *, deleted: str = "exclude") -> GridRuleList:
    last = repository.schedules(session)
    return GridRuleList(
        items=[rule_read(r, last.get(r.id)) for r in repository.rules(session, deleted=deleted)]
    )


def _check_actions(session: Session, actions: Iterable[Action]) -> None:
    columns = {c.key for c in grid_repository.columns(session)}
    for action in actions:
        if isinstance(action, AddToList | RemoveFromList):
            found = repository.list_by_key(session, action.list)
            if found is None or found.deleted_at is not None:
                raise InvalidValue(f"actions: no live list {action.list!r}", field="actions")
        elif isinstance(action, SetField) and action.field.startswith("values."):
            key = action.field.removeprefix("values.")
            if key not in columns:
                raise InvalidValue(f"actions: the grid has no column {key!r}", field="actions")
            if action.value is not None:
                grid.check_values(session, {key: action.value})
        elif isinstance(action, CreateFollowUp) and action.owner_id is not None:
            try:
                owner = users.get_user(session, user_id=action.owner_id)
            except UnknownUser:
                raise InvalidValue("actions: no such follow-up owner", field="actions") from None
            if not owner.is_active:
                raise InvalidValue("actions: that owner is deactivated", field="actions")


def _dump_actions(actions: list[Action]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json") for a in actions]


def create_rule(session: Session, *, data: GridRuleCreate, by: Principal) -> dict[str, Any]:
    _check_actions(session, [*data.actions, *data.otherwise])
    position = data.position
    if position is None:
        last = repository.last_rule_position(session)
        position = 0 if last is None else last + 1
    row = GridRule(
        name=data.name,
        description=data.description,
        is_active=data.is_active,
        is_builtin=False,
        on_change=data.on_change,
        schedule_seconds=data.schedule_seconds,
        position=position,
        condition=conditions.dump(data.condition),
        actions=_dump_actions(data.actions),
        otherwise=_dump_actions(data.otherwise),
    )
    aggregate.stamp_new(row, by)
    session.add(row)
    return aggregate.created(
        session, kind=RULE_KIND, obj=row, actor=by, payload=data.model_dump(mode="json")
    )


def update_rule(
    session: Session,
    *,
    record_id: str,
    data: GridRuleUpdate,
    expected_version: int | None,
    by: Principal,
) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id)
    aggregate.expect_version(RULE_KIND, row, expected_version)
    before = rule_state(row)
    fields = data.model_dump(exclude_unset=True)
    for name in ("name", "is_active", "on_change", "position", "condition", "actions", "otherwise"):
        if name in fields and fields[name] is None:
            raise InvalidValue(f"{name} must not be null", field=name)
    _check_actions(session, [*(data.actions or []), *(data.otherwise or [])])
    if data.name is not None:
        if not data.name.strip():
            raise InvalidValue("name must not be blank", field="name")
        row.name = data.name.strip()
    if "description" in fields:
        row.description = data.description or ""
    for name in ("is_active", "on_change", "position"):
        if name in fields:
            setattr(row, name, fields[name])
    if "schedule_seconds" in fields:
        row.schedule_seconds = data.schedule_seconds
    if data.condition is not None:
        row.condition = conditions.dump(data.condition)
    if data.actions is not None:
        row.actions = _dump_actions(data.actions)
    if data.otherwise is not None:
        row.otherwise = _dump_actions(data.otherwise)
    return aggregate.updated(
        session,
        kind=RULE_KIND,
        obj=row,
        before=before,
        actor=by,
        payload=data.model_dump(mode="json", exclude_unset=True),
    )


def delete_rule(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    return aggregate.soft_deleted(session, kind=RULE_KIND, obj=row, actor=by)


def restore_rule(session: Session, *, record_id: str, by: Principal) -> dict[str, Any]:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    return aggregate.restored(session, kind=RULE_KIND, obj=row, actor=by)


def purge_rule(session: Session, *, record_id: str, by: Principal) -> None:
    row = get_rule(session, rule_id=record_id, include_deleted=True)
    aggregate.purged(session, kind=RULE_KIND, obj=row, actor=by)


# -- rules: running -----------------------------------------------------------------------------


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
    rows = {r.id: r for r in grid_repository.load_rows(session, row_ids=row_ids)}
    grid_repository.load_lists(session, rows)
    if facts.needs_touch(set().union(*(p.paths() for p in programs)) if programs else set()):
        grid_repository.load_last_touch(session, rows)
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
        _add_member(session, live_list(session, action.list), row.id, program.rule_id, by)
    elif isinstance(action, RemoveFromList):
        _remove_member(session, live_list(session, action.list), row.id, by)
    elif isinstance(action, SetFlag | SetField):
        if isinstance(action, SetFlag):
            flags = set(row.flags)
            flags = flags | {action.flag} if after else flags - {action.flag}
            change = GridRowUpdate(flags=sorted(flags))
        elif action.field == "lead_source":
            change = GridRowUpdate(lead_source=after)
        else:
            change = GridRowUpdate(values={action.field.removeprefix("values."): after})
        state = grid.update_row(
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
    rule = get_rule(session, rule_id=rule_id)
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
    _check_actions(session, [*data.actions, *data.otherwise])
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
    rules = repository.active_rules(session, on_change=True)
    if not rules or not row_ids:
        return None
    started_at = utcnow()
    programs: list[Program] = []
    tally = _Tally()
    for rule in rules:
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
