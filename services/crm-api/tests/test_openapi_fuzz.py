"""A property-based fuzz run of the whole OpenAPI (schemathesis): no 5xx, nothing undeclared.

Every operation gets a bounded number of generated requests, signed with an admin-scoped API key
(a key cannot sign itself out, so the run keeps its credentials throughout).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from api_helpers import bearer, create_key, register_admin
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm_common.errors import PROBLEM_JSON

EXAMPLES_PER_OPERATION = 20


@schemathesis.check
def no_server_error_but_a_declared_unavailable(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """No 5xx, except the 503 problem a route declares for a service it needs and that is not
    running (the resolver routes, with no resolver in this test)."""
    if (
        response.status_code == 503
        and "503" in {str(code) for code in case.operation.responses.status_codes}
        and response.headers.get("content-type", [""])[0].startswith(PROBLEM_JSON)
        and response.json()["type"] == "urn:lp-crm:problem:service-unavailable"
    ):
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [
    no_server_error_but_a_declared_unavailable,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


Operation = APIOperation[Any, Any, Any, Any]


def readable(result: Ok[Operation] | Err[InvalidSchema]) -> Operation:
    """The operation the schema yields; an operation it cannot read fails the test."""
    assert isinstance(result, Ok), result.err()
    return result.ok()


@pytest.fixture
def fuzz_target(make_app: Callable[..., FastAPI]) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    app = make_app(
        rate_limit_read="100000/minute",
        rate_limit_write="100000/minute",
        rate_limit_login="100000/minute",
    )
    client = TestClient(app)
    admin = register_admin(client)
    key = create_key(client, admin, ["admin", "read", "write:logged"])["key"]
    client.post(
        "/api/interactions",
        json={"action": "seed", "channel": "test", "targets": [{"type": "contact", "id": "c1"}]},
        headers=bearer(admin),
    )
    yield app, {"X-API-Key": key}
    app.state.db.dispose()


def test_the_api_answers_every_generated_request_within_its_schema(
    fuzz_target: tuple[FastAPI, dict[str, str]],
) -> None:
    app, headers = fuzz_target
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # The health check's 503 is its job (it reports an unreachable bus); everything else is fuzzed.
    operations = [
        op
        for op in (readable(result) for result in schema.get_all_operations())
        if op.path != "/api/health"
    ]
    declared = sum(len(ops) for ops in app.openapi()["paths"].values())
    assert len(operations) == declared - 1

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
