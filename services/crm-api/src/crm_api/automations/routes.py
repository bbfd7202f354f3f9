"""Automations' routes: rules (admins, as in the seed), their runs and dry runs, and lists (read
by anyone, managed by admins) with their memberships.

This module does not use postponed annotations: FastAPI reads the endpoints' annotations.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from crm_api.auth.dependencies import Admin, Reader
from crm_api.automations import engine, lists, rules
from crm_api.automations.schemas import (
    DraftDryRun,
    GridListCreate,
    GridListIndex,
    GridListRead,
    GridListUpdate,
    GridRuleCreate,
    GridRuleFilter,
    GridRuleList,
    GridRuleRead,
    GridRuleUpdate,
    MemberFilter,
    MemberPage,
    RuleRunFilter,
    RuleRunPage,
    RuleRunRead,
    RunRequest,
)
from crm_api.database import ReadSession, WriteSession, utcnow
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match
from crm_common.errors import PROBLEM_JSON

router = APIRouter(prefix="/api", tags=["grid automations"])

_STALE: dict[int | str, dict[str, Any]] = {
    428: {
        "description": "If-Match is missing: send the version you read",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


# -- rules --------------------------------------------------------------------------------------


@router.get("/grid/rules", response_model=GridRuleList, summary="The automation rules (admins)")
def list_rules(
    _: Admin, filters: Annotated[GridRuleFilter, Query()], session: ReadSession
) -> GridRuleList:
    return rules.list_rules(session, deleted=filters.deleted)


@router.post(
    "/grid/rules",
    response_model=GridRuleRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a rule (admins)",
)
def create_rule(
    principal: Admin, body: GridRuleCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    """A condition over row fields, flags, cells, custom columns and time since the last touch;
    actions when it holds, `otherwise` when not. See docs/grid.md, Automations."""
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/rules",
        request=body.model_dump(mode="json", by_alias=True),
        status=201,
        run=lambda: rules.create_rule(session, data=body, by=principal),
    )


@router.post(
    "/grid/rules/dry-run",
    response_model=RuleRunRead,
    summary="What a draft rule would change (admins; changes nothing)",
)
def dry_run_draft(principal: Admin, body: DraftDryRun, session: WriteSession) -> RuleRunRead:
    return engine.dry_run_draft(session, data=body, now=utcnow(), by=principal)


@router.get("/grid/rules/{rule_id}", response_model=GridRuleRead, summary="Read a rule (admins)")
def read_rule(_: Admin, rule_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(rules.read_rule(session, record_id=rule_id))


@router.patch(
    "/grid/rules/{rule_id}", response_model=GridRuleRead, responses=_STALE, summary="Edit a rule"
)
def update_rule(
    principal: Admin,
    rule_id: str,
    body: GridRuleUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Admins. If-Match names the rule's version: 428 without it, 409 if stale."""
    return with_etag(
        rules.update_rule(
            session,
            record_id=rule_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/grid/rules/{rule_id}", response_model=GridRuleRead, summary="Delete a rule")
def delete_rule(principal: Admin, rule_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(rules.delete_rule(session, record_id=rule_id, by=principal))


@router.post("/grid/rules/{rule_id}/restore", response_model=GridRuleRead, summary="Restore a rule")
def restore_rule(principal: Admin, rule_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(rules.restore_rule(session, record_id=rule_id, by=principal))


@router.post(
    "/admin/grid/rules/{rule_id}/purge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a deleted rule for good (admins; its runs stay on record)",
)
def purge_rule(principal: Admin, rule_id: str, session: WriteSession) -> None:
    rules.purge_rule(session, record_id=rule_id, by=principal)


@router.post(
    "/grid/rules/{rule_id}/run", response_model=RuleRunRead, summary="Run a rule now (admins)"
)
def run_rule(
    principal: Admin, rule_id: str, body: RunRequest, session: WriteSession
) -> RuleRunRead:
    return engine.run_rule(
        session,
        rule_id=rule_id,
        trigger="manual",
        now=utcnow(),
        requested_by=principal,
        row_ids=body.row_ids,
    )


@router.post(
    "/grid/rules/{rule_id}/dry-run",
    response_model=RuleRunRead,
    summary="What a rule would change now (admins; changes nothing)",
)
def dry_run_rule(
    principal: Admin, rule_id: str, body: RunRequest, session: WriteSession
) -> RuleRunRead:
    return engine.run_rule(
        session,
        rule_id=rule_id,
        trigger="manual",
        now=utcnow(),
        requested_by=principal,
        row_ids=body.row_ids,
        dry_run=True,
    )


@router.get("/grid/rule-runs", response_model=RuleRunPage, summary="Rule runs, newest first")
def list_runs(
    _: Admin, filters: Annotated[RuleRunFilter, Query()], session: ReadSession
) -> RuleRunPage:
    """Admins. Every run (on change, on schedule, by hand, dry) with what it changed."""
    return engine.search_runs(session, filters=filters)


@router.get("/grid/rule-runs/{run_id}", response_model=RuleRunRead, summary="Read a rule run")
def read_run(_: Admin, run_id: str, session: ReadSession) -> RuleRunRead:
    return engine.read_run(session, run_id=run_id)


# -- lists --------------------------------------------------------------------------------------


@router.get("/grid/lists", response_model=GridListIndex, summary="The lists, with member counts")
def list_lists(_: Reader, session: ReadSession) -> GridListIndex:
    return lists.index_lists(session)


@router.post(
    "/grid/lists",
    response_model=GridListRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a list for rules to keep (admins)",
)
def create_list(
    principal: Admin, body: GridListCreate, session: WriteSession, key: IdempotencyKey = None
) -> JSONResponse:
    return run_once(
        session,
        principal=principal,
        key=key,
        scope="POST /api/grid/lists",
        request=body.model_dump(mode="json"),
        status=201,
        run=lambda: lists.create_list(session, data=body, by=principal),
    )


@router.get("/grid/lists/{list_id}", response_model=GridListRead, summary="Read a list")
def read_list(_: Reader, list_id: str, session: ReadSession) -> JSONResponse:
    return with_etag(lists.read_list(session, record_id=list_id))


@router.patch(
    "/grid/lists/{list_id}", response_model=GridListRead, responses=_STALE, summary="Rename a list"
)
def update_list(
    principal: Admin,
    list_id: str,
    body: GridListUpdate,
    session: WriteSession,
    if_match: IfMatch = None,
) -> JSONResponse:
    return with_etag(
        lists.update_list(
            session,
            record_id=list_id,
            data=body,
            expected_version=parse_if_match(if_match),
            by=principal,
        )
    )


@router.delete("/grid/lists/{list_id}", response_model=GridListRead, summary="Delete a list")
def delete_list(principal: Admin, list_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(lists.delete_list(session, record_id=list_id, by=principal))


@router.post("/grid/lists/{list_id}/restore", response_model=GridListRead, summary="Restore a list")
def restore_list(principal: Admin, list_id: str, session: WriteSession) -> JSONResponse:
    return with_etag(lists.restore_list(session, record_id=list_id, by=principal))


@router.post(
    "/admin/grid/lists/{list_id}/purge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a deleted list for good (admins; refused while it has members)",
)
def purge_list(principal: Admin, list_id: str, session: WriteSession) -> None:
    lists.purge_list(session, record_id=list_id, by=principal)


@router.get("/grid/lists/{key}/members", response_model=MemberPage, summary="The rows on a list")
def list_members(
    _: Reader, key: str, filters: Annotated[MemberFilter, Query()], session: ReadSession
) -> MemberPage:
    """By list key (all, follow_up, graveyard, ...); `deleted=include` adds the rows that left."""
    return lists.list_members(session, key=key, filters=filters)
