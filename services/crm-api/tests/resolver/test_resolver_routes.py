"""The resolver through crm-api: records made in the CRM reach a real resolver over the bus, its
review queue comes back through crm-api's routes, a person's decision goes to the resolver and
into the interaction log, and the canonical ids come back onto the dossiers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import crm_factories as crm
import nats.errors
import pytest
from api_helpers import bearer, create_key, events, register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crm_common.bus.connection import connect
from crm_common.natsd import NatsServer, free_port
from crm_common.testing import (
    create_postgres_database,
    drop_postgres_database,
    eventually,
    postgres_admin_url,
)


@pytest.fixture
def resolver(tmp_path: Path, database_url: str, nats_server: NatsServer) -> Iterator[str]:
    """A real resolver process (`python -m crm_resolver serve`) on the test's bus, with a
    database of its own as in production (the two services' outboxes must not mix); yields the
    URL of its health check."""
    admin_url = postgres_admin_url()
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'resolver.db'}"
    else:
        assert admin_url is not None
        url = create_postgres_database(admin_url)
    port = free_port()
    data_dir = tmp_path / "resolver"
    data_dir.mkdir()
    env = os.environ | {
        "DATA_DIR": str(data_dir),
        "NATS_URL": nats_server.url,
        "LOG_LEVEL": "WARNING",
        "RESOLVER_DATABASE_URL": url,
        "RESOLVER_PORT": str(port),
    }
    with (data_dir / "resolver.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "crm_resolver", "serve"], env=env, stdout=log, stderr=log
        )
    try:
        asyncio.run(eventually(lambda: answering(process, nats_server.url), what="the resolver"))
        yield f"http://127.0.0.1:{port}/health"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if admin_url is not None and not database_url.startswith("sqlite"):
            drop_postgres_database(admin_url, url)


async def answering(process: subprocess.Popen[bytes], nats_url: str) -> bool:
    """The resolver's request-reply service answers (its endpoints register once it runs)."""
    if process.poll() is not None:  # at once: no wait brings it back
        raise RuntimeError(f"the resolver exited with {process.returncode}")
    bus = await connect([nats_url], name="resolver-probe", wait=5)
    try:
        await bus.nc.request("$SRV.PING.resolver", b"", timeout=1)
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
        return False
    finally:
        await bus.nc.close()
    return True


@pytest.fixture
def live(
    make_app: Callable[..., FastAPI], nats_server: NatsServer, resolver: str
) -> Iterator[tuple[FastAPI, TestClient]]:
    app = make_app(NATS_URL=nats_server.url, outbox_poll_interval=0.05)
    with TestClient(app) as client:
        asyncio.run(
            eventually(lambda: client.get("/api/health").status_code == 200, what="crm-api healthy")
        )
        yield app, client
    app.state.db.dispose()


def canonical(client: TestClient, token: str, contact_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = client.get(
        f"/api/contacts/{contact_id}", headers=bearer(token)
    ).json()["canonical"]
    return found


def settled_canonical(
    client: TestClient, token: str, contact_id: str, *, what: str
) -> dict[str, Any]:
    """The contact's canonical entity, once the resolver has stamped it on the dossier."""
    found = asyncio.run(eventually(lambda: canonical(client, token, contact_id), what=what))
    assert found is not None  # eventually returns only a truthy answer
    return found


def test_the_review_queue_round_trips_through_crm_api(
    live: tuple[FastAPI, TestClient],
) -> None:
    app, client = live
    admin = register_admin(client)
    birch = crm.organization(client, admin, name="Birch Endowment", website="https://birch.example")
    william = crm.contact(
        client,
        admin,
        first_name="William",
        last_name="Chen",
        emails=[{"email": "wchen@birch.example", "is_primary": True}],
        affiliations=[{"organization_id": birch["id"], "is_primary": True}],
    )
    bill = crm.contact(
        client, admin, first_name="Bill", last_name="Chen", emails=[{"email": "billchen@gmail.com"}]
    )

    queue = asyncio.run(
        eventually(
            lambda: (
                (r := client.get("/api/resolver/review", headers=bearer(admin)).json())["total"]
                and r
            ),
            what="a review item",
        )
    )
    (item,) = queue["items"]
    assert {item["left"]["display_name"], item["right"]["display_name"]} == {
        "William Chen",
        "Bill Chen",
    }
    first = settled_canonical(client, admin, william["id"], what="William's canonical id")
    second = settled_canonical(client, admin, bill["id"], what="Bill's canonical id")
    assert first["entity_id"] != second["entity_id"]

    # An agent may read the queue, not decide it.
    agent = {"X-API-Key": create_key(client, admin, ["read", "write:logged"])["key"]}
    assert client.get("/api/resolver/review", headers=agent).status_code == 200
    refused = client.post(
        f"/api/resolver/review/{item['id']}/decision", json={"verdict": "accept"}, headers=agent
    )
    assert refused.status_code == 403

    decided = client.post(
        f"/api/resolver/review/{item['id']}/decision",
        json={"verdict": "accept", "reason": "same person, personal address"},
        headers=bearer(admin),
    )
    assert decided.status_code == 201, decided.text
    decision = decided.json()["decision"]
    me = client.get("/api/auth/me", headers=bearer(admin)).json()
    assert decision["kind"] == "merge"
    assert decision["actor"]["id"] == me["id"]
    assert decision["reason"] == "same person, personal address"

    def bill_on_williams_entity() -> bool:
        b = canonical(client, admin, bill["id"])
        return b is not None and b["entity_id"] == first["entity_id"]  # the older entity survives

    asyncio.run(eventually(bill_on_williams_entity, what="Bill on William's entity"))
    merged = canonical(client, admin, william["id"])
    assert merged is not None
    assert {(r["source_kind"], r["source_id"]) for r in merged["records"]} == {
        ("contact", william["id"]),
        ("contact", bill["id"]),
    }
    assert client.get("/api/resolver/review", headers=bearer(admin)).json()["total"] == 0
    log = client.get(
        "/api/interactions", params={"actor_id": me["id"]}, headers=bearer(admin)
    ).json()["items"]
    touch = next(entry for entry in log if entry["action"] == "resolver.review.accept")
    assert {"type": "entity", "id": merged["entity_id"]} in touch["targets"]

    history = client.get(
        "/api/resolver/decisions",
        params={"entity_id": merged["entity_id"]},
        headers=bearer(admin),
    )
    assert [d["id"] for d in history.json()["items"]] == [decision["id"]]
    undone = client.post(
        f"/api/resolver/decisions/{decision['id']}/undo",
        json={"reason": "two people after all"},
        headers=bearer(admin),
    )
    assert undone.status_code == 201, undone.text

    def apart() -> bool:
        william_now = canonical(client, admin, william["id"])
        bill_now = canonical(client, admin, bill["id"])
        assert william_now is not None
        assert bill_now is not None
        return bool(william_now["entity_id"] != bill_now["entity_id"])

    asyncio.run(eventually(apart, what="William and Bill apart again"))
    again = client.get("/api/resolver/review", headers=bearer(admin)).json()
    assert [i["id"] for i in again["items"]] == [item["id"]]

    # Stamping canonical ids changed no CRM record: two contacts, one event each, no more.
    contact_events = [e["type"] for e in events(app, "crm.contact.")]
    assert contact_events == ["crm.contact.created", "crm.contact.created"]


def test_who_knows_an_lp_and_why_two_records_are_one(live: tuple[FastAPI, TestClient]) -> None:
    _app, client = live
    admin = register_admin(client)
    oak = crm.organization(client, admin, name="Oak Partners", website="https://oak.example")
    ken = crm.contact(
        client,
        admin,
        first_name="Ken",
        last_name="Thompson",
        emails=[{"email": "ken@oak.example"}],
        affiliations=[{"organization_id": oak["id"]}],
    )
    dennis = crm.contact(client, admin, first_name="Dennis", last_name="Ritchie")
    crm.communication(
        client, admin, type="meeting", contact_id=ken["id"], attendee_ids=[dennis["id"]]
    )

    ken_entity = settled_canonical(client, admin, ken["id"], what="Ken's canonical id")["entity_id"]

    def neighbors() -> dict[str, Any] | None:
        answer: dict[str, Any] = client.get(
            f"/api/resolver/entities/{ken_entity}/neighbors", headers=bearer(admin)
        ).json()
        return answer if len(answer["neighbors"]) >= 3 else None

    who = asyncio.run(eventually(neighbors, what="Ken's neighbors"))
    assert who is not None  # eventually returns only a truthy answer
    kinds = {n["node"]["display_name"]: n["edge_kinds"] for n in who["neighbors"]}
    assert kinds["Dennis Ritchie"] == ["met"]
    assert kinds["Oak Partners"] == ["membership"]
    me = client.get("/api/auth/me", headers=bearer(admin)).json()
    team = [n for n in who["neighbors"] if n["node"]["kind"] == "team_member"]
    assert [(n["node"]["id"], n["edge_kinds"]) for n in team] == [(me["id"], ["team"])]

    by_record = client.get(f"/api/resolver/records/contact/{ken['id']}", headers=bearer(admin))
    assert by_record.json()["entity"]["id"] == ken_entity
    resolved = client.get(
        "/api/resolver/resolve", params={"email": "KEN@oak.example"}, headers=bearer(admin)
    ).json()
    assert [m["entity"]["id"] for m in resolved["matches"]] == [ken_entity]
    why = client.post(
        "/api/resolver/explain",
        json={
            "left": {"source": {"source_kind": "contact", "source_id": ken["id"]}},
            "right": {"source": {"source_kind": "contact", "source_id": dennis["id"]}},
        },
        headers=bearer(admin),
    )
    assert why.status_code == 200, why.text
    assert why.json()["same_entity"] is False

    assert client.get("/api/resolver/resolve", headers=bearer(admin)).status_code == 422
    missing = client.get("/api/resolver/entities/nope", headers=bearer(admin))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_intro_paths_reach_an_lp_through_its_partner(live: tuple[FastAPI, TestClient]) -> None:
    _app, client = live
    admin = register_admin(client)
    me = client.get("/api/auth/me", headers=bearer(admin)).json()
    oak = crm.organization(client, admin, name="Oak Partners", website="https://oak.example")
    ken = crm.contact(
        client,
        admin,
        first_name="Ken",
        last_name="Thompson",
        affiliations=[{"organization_id": oak["id"], "role": "Managing Partner"}],
    )
    meeting = crm.communication(client, admin, type="meeting", contact_id=ken["id"])

    def oak_entity() -> str | None:
        found: dict[str, Any] | None = client.get(
            f"/api/organizations/{oak['id']}", headers=bearer(admin)
        ).json()["canonical"]
        return str(found["entity_id"]) if found else None

    lp = asyncio.run(eventually(oak_entity, what="Oak's canonical id"))

    def through_ken() -> dict[str, Any] | None:
        answer: dict[str, Any] = client.get(
            f"/api/resolver/entities/{lp}/paths", headers=bearer(admin)
        ).json()
        found: list[dict[str, Any]] = answer["paths"]
        for path in found:
            if [h["to"]["display_name"] for h in path["hops"]] == ["Ken Thompson", "Oak Partners"]:
                return path
        return None

    path = asyncio.run(eventually(through_ken, what="a path to Oak through Ken"))
    assert path is not None  # eventually returns only a truthy answer
    assert path["team_member"]["id"] == me["id"]
    first, second = path["hops"]
    assert first["from"]["id"] == me["id"]
    assert first["edge_kinds"] == ["team"]
    assert meeting["id"] in [e["origin_id"] for e in first["evidence"]]
    assert (second["edge_kinds"], second["evidence"][0]["detail"]) == (
        ["membership"],
        "Managing Partner",
    )
    assert 0 < path["score"] <= 0.5

    # Agents' keys may read paths; filters and limits reach the resolver.
    agent = {"X-API-Key": create_key(client, admin, ["read"])["key"]}
    by_agent = client.get(
        f"/api/resolver/entities/{lp}/paths",
        params={"team_member_id": "someone-else", "evidence_per_edge": 0},
        headers=agent,
    )
    assert by_agent.status_code == 200, by_agent.text
    assert by_agent.json()["paths"] == []
    direct_only = client.get(
        f"/api/resolver/entities/{lp}/paths", params={"max_hops": 1}, headers=bearer(admin)
    ).json()
    assert all(len(p["hops"]) == 1 for p in direct_only["paths"])

    too_far = client.get(
        f"/api/resolver/entities/{lp}/paths", params={"max_hops": 4}, headers=bearer(admin)
    )
    assert too_far.status_code == 422
    assert too_far.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/api/resolver/entities/nope/paths", headers=bearer(admin))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/resolver/entities/{lp}/paths").status_code == 401


def test_with_no_resolver_intro_paths_answer_503(
    make_app: Callable[..., FastAPI], nats_server: NatsServer
) -> None:
    app = make_app(NATS_URL=nats_server.url)
    with TestClient(app) as client:
        asyncio.run(
            eventually(lambda: client.get("/api/health").status_code == 200, what="crm-api healthy")
        )
        admin = register_admin(client)
        answer = client.get("/api/resolver/entities/e-1/paths", headers=bearer(admin))
        assert answer.status_code == 503
        assert answer.json()["type"] == "urn:lp-crm:problem:service-unavailable"
    app.state.db.dispose()


def test_with_no_resolver_the_routes_answer_503(
    make_app: Callable[..., FastAPI], nats_server: NatsServer
) -> None:
    app = make_app(NATS_URL=nats_server.url)
    with TestClient(app) as client:
        asyncio.run(
            eventually(lambda: client.get("/api/health").status_code == 200, what="crm-api healthy")
        )
        admin = register_admin(client)
        answer = client.get("/api/resolver/review", headers=bearer(admin))
        assert answer.status_code == 503
        assert answer.json()["type"] == "urn:lp-crm:problem:service-unavailable"
        assert answer.json()["service"] == "resolver"
    app.state.db.dispose()


def test_the_seeds_duplicates_made_through_the_crm_and_its_grid_are_one_lp(
    live: tuple[FastAPI, TestClient],
) -> None:
    """The seed's one investor as the seed held it (an organization, its LP profile, its grid
    row, and the same partner twice, once with a personal address), made here through crm-api's
    own routes, grid included, and resolved by a real resolver from the events."""
    _app, client = live
    admin = register_admin(client)
    harbor = crm.organization(
        client, admin, name="Harbor Family Office, LLC", website="https://www.harborfo.com"
    )
    jane = crm.contact(
        client,
        admin,
        first_name="Jane",
        last_name="Doe",
        emails=[{"email": "jane@harborfo.com"}],
        affiliations=[{"organization_id": harbor["id"]}],
    )
    jane_again = crm.contact(
        client,
        admin,
        first_name="Jane",
        last_name="Doe",
        emails=[{"email": "Jane.Doe@gmail.com"}],
        affiliations=[{"organization_id": harbor["id"]}],
    )
    profile = crm.post(
        client,
        admin,
        "/api/lp-profiles",
        {"organization_id": harbor["id"], "investor_type": "family_office"},
    )
    row = crm.post(
        client,
        admin,
        "/api/grid/rows",
        {
            "organization_id": harbor["id"],
            "contacts": [{"contact_id": jane["id"]}, {"contact_id": jane_again["id"]}],
        },
    )

    def investor() -> dict[str, Any] | None:
        found: dict[str, Any] | None = client.get(
            f"/api/organizations/{harbor['id']}", headers=bearer(admin)
        ).json()["canonical"]
        if found and {"grid_row", "lp_profile"} <= {r["source_kind"] for r in found["records"]}:
            return found
        return None

    lp = asyncio.run(eventually(investor, what="the investor's canonical entity"))
    assert lp is not None  # eventually returns only a truthy answer
    assert lp["is_lp"] is True
    assert {(r["source_kind"], r["source_id"]) for r in lp["records"]} == {
        ("organization", harbor["id"]),
        ("lp_profile", profile["id"]),
        ("grid_row", row["id"]),
    }

    def one_person() -> dict[str, Any] | None:
        a = canonical(client, admin, jane["id"])
        if not a:
            return None
        b = canonical(client, admin, jane_again["id"])
        return a if b and a["entity_id"] == b["entity_id"] else None

    partner = asyncio.run(eventually(one_person, what="Jane's two records on one entity"))
    assert partner is not None  # eventually returns only a truthy answer
    assert partner["kind"] == "person"
    assert {r["source_id"] for r in partner["records"]} == {jane["id"], jane_again["id"]}
