"""`GET /api/search` on crm-api's side: access, validation, a declared 503 while ingest is not
running, and who may see redacted values. tests/test_search.py runs it against ingest itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from api_helpers import bearer, create_key, create_member
from crm_factories import communication, contact
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_api.auth.principal import Principal, Role, Scope
from crm_api.search import service
from crm_common.contracts.search import Citation, RedactionMarker, SearchHit, SearchResponse


def test_search_needs_a_principal(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "capital call"}).status_code == 401


def test_search_without_ingest_is_a_503_problem(client: TestClient, admin: str) -> None:
    response = client.get("/api/search", params={"q": "capital call"}, headers=bearer(admin))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:lp-crm:problem:service-unavailable"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "   "},
        {"q": "x", "top_k": 0},
        {"q": "x", "mode": "fuzzy"},
        {"q": "x", "since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"q": "x", "since": "2026-02-01T00:00:00"},
        {"q": "x", "unknown": "1"},
    ],
)
def test_bad_parameters_are_a_422(
    client: TestClient, admin: str, params: dict[str, str | int]
) -> None:
    response = client.get("/api/search", params=params, headers=bearer(admin))
    assert response.status_code == 422, response.text


def principal(kind: str, role: Role, *scopes: Scope) -> Principal:
    return Principal(
        kind=kind,  # type: ignore[arg-type]
        id="p",
        name="p",
        role=role,
        user_id="u",
        scopes=frozenset(scopes),
    )


def test_users_see_redacted_values_and_keys_only_with_the_scope() -> None:
    assert principal("user", Role.ADMIN).may_see_sensitive
    assert principal("user", Role.MEMBER).may_see_sensitive
    assert not principal("agent", Role.AGENT, Scope.READ).may_see_sensitive
    assert not principal("agent", Role.AGENT, Scope.READ, Scope.WRITE_LOGGED).may_see_sensitive
    assert principal("agent", Role.AGENT, Scope.READ, Scope.READ_SENSITIVE).may_see_sensitive


def test_a_member_may_key_an_agent_with_read_sensitive(client: TestClient, admin: str) -> None:
    member = create_member(client, admin)
    created = create_key(client, member, ["read", "write:logged", "read:sensitive"])
    assert sorted(created["scopes"]) == ["read", "read:sensitive", "write:logged"]


def _hit(record: dict[str, object], *, version: int) -> SearchHit:
    body = str(record["body"])
    start = body.index("123456789012")
    return SearchHit(
        point_id="p",
        chunk_no=0,
        score=1.0,
        snippet="Wire to account number [ACCOUNT_NUMBER_1] today.",
        title="",
        citation=Citation(
            source_kind="communication",
            source_id=str(record["id"]),
            source_version=version,
            event_time=datetime.now(UTC),
            crm_path=f"/api/communications/{record['id']}",
        ),
        redactions=[
            RedactionMarker(
                placeholder="[ACCOUNT_NUMBER_1]",
                type="ACCOUNT_NUMBER",
                field="body",
                start=start,
                end=start + 12,
            )
        ],
    )


def test_rehydration_reads_the_original_from_the_record_at_the_version_ingest_read(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    ada = contact(client, admin)
    logged = communication(
        client, admin, contact_id=ada["id"], body="Wire to account number 123456789012 today."
    )
    version = int(logged["version"])
    member = principal("user", Role.MEMBER)
    agent = principal("agent", Role.AGENT, Scope.READ)
    with app.state.db.session() as session:
        shown, kept, stale = (_hit(logged, version=version) for _ in range(3))
        response = SearchResponse(hits=[shown], mode="hybrid", model="minilm")
        service.rehydrate(session, response=response, principal=member)
        service.rehydrate(
            session,
            response=SearchResponse(hits=[kept], mode="hybrid", model="minilm"),
            principal=agent,
        )
        stale.citation = stale.citation.model_copy(update={"source_version": version + 1})
        service.rehydrate(
            session,
            response=SearchResponse(hits=[stale], mode="hybrid", model="minilm"),
            principal=member,
        )
    assert shown.snippet == "Wire to account number 123456789012 today."
    assert shown.rehydrated
    assert "[ACCOUNT_NUMBER_1]" in kept.snippet
    assert not kept.rehydrated
    assert "[ACCOUNT_NUMBER_1]" in stale.snippet
    assert not stale.rehydrated
