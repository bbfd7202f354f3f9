"""The request-reply API refuses what it cannot answer, with a problem and at once."""

from __future__ import annotations

import json

import pytest
from resolver_helpers import Resolver

from crm_common.contracts import resolver as contract

pytestmark = pytest.mark.anyio


async def test_every_subject_of_the_contract_is_served(resolver: Resolver) -> None:
    info = await resolver.bus.nc.request("$SRV.INFO.resolver", b"", timeout=5)
    subjects = {e["subject"] for e in json.loads(info.data)["endpoints"]}
    assert subjects == set(contract.SUBJECTS)


@pytest.mark.parametrize(
    ("subject", "body", "status"),
    [
        (contract.SUBJECT_RESOLVE, b"{}", 422),
        (contract.SUBJECT_RESOLVE, b"not json", 422),
        (
            contract.SUBJECT_ENTITY,
            b'{"entity_id": "a", "source": {"source_kind": "contact", "source_id": "x"}}',
            422,
        ),
        (contract.SUBJECT_ENTITY, b'{"entity_id": "no-such-entity"}', 404),
        (contract.SUBJECT_ENTITY, b'{"source": {"source_kind": "contact", "source_id": "x"}}', 404),
        (contract.SUBJECT_NEIGHBORS, b'{"entity_id": "no-such-entity"}', 404),
        (contract.SUBJECT_MERGE, b'{"entity_ids": ["a", "b"]}', 422),
        (
            contract.SUBJECT_REVIEW_DECIDE,
            b'{"item_id": "x", "verdict": "accept", "actor": {"kind": "user", "id": "u"}}',
            404,
        ),
        (contract.SUBJECT_REVIEW_LIST, b'{"limit": 100000}', 422),
    ],
)
async def test_a_bad_request_gets_its_problem(
    resolver: Resolver, subject: str, body: bytes, status: int
) -> None:
    answer = await resolver.bus.nc.request(subject, body, timeout=5)
    assert answer.headers is not None
    assert answer.headers["Nats-Service-Error-Code"] == str(status)
