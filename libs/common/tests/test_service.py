"""Typed request-reply on nats.micro: answers, and errors that arrive as errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from pydantic import BaseModel, Field

from crm_common.bus.connection import Bus
from crm_common.bus.service import (
    Endpoint,
    ServiceCallError,
    ServiceUnreachable,
    call,
    start_service,
)
from crm_common.errors import NotFound

pytestmark = pytest.mark.anyio


class Greet(BaseModel):
    name: str = Field(min_length=1)
    times: int = Field(default=1, ge=1, le=3)


class Greeting(BaseModel):
    text: str


async def greet(request: Greet) -> Greeting:
    if request.name == "nobody":
        raise NotFound("no such person", entity="person")
    if request.name == "crash":
        raise RuntimeError("secret internals")
    return Greeting(text=" ".join([f"hello {request.name}"] * request.times))


@pytest.fixture
async def service(bus: Bus) -> AsyncIterator[None]:
    svc = await start_service(
        bus.nc,
        name="greeter",
        version="1.0.0",
        endpoints=[Endpoint("greet", "test.greet", Greet, Greeting, greet, "Greets someone")],
    )
    yield
    await svc.stop()


async def test_a_valid_request_gets_a_typed_answer(bus: Bus, service: None) -> None:
    answer = await call(bus.nc, "test.greet", Greet(name="Ada", times=2), Greeting)
    assert answer == Greeting(text="hello Ada hello Ada")


async def test_an_invalid_request_gets_a_typed_error_not_a_timeout(bus: Bus, service: None) -> None:
    class Wrong(BaseModel):
        name: int
        times: str

    with anyio.fail_after(2), pytest.raises(ServiceCallError) as caught:
        await call(bus.nc, "test.greet", Wrong(name=5, times="many"), Greeting, timeout=30)
    assert caught.value.status == 422
    fields = {tuple(e["loc"]) for e in caught.value.problem.model_extra["errors"]}  # type: ignore[index]
    assert fields == {("name",), ("times",)}


async def test_a_domain_error_reaches_the_caller_with_its_status(bus: Bus, service: None) -> None:
    with pytest.raises(ServiceCallError) as caught:
        await call(bus.nc, "test.greet", Greet(name="nobody"), Greeting)
    assert caught.value.status == 404
    assert caught.value.problem.detail == "no such person"
    assert caught.value.problem.model_extra == {"entity": "person"}


async def test_an_unexpected_failure_is_a_500_without_internals(bus: Bus, service: None) -> None:
    with pytest.raises(ServiceCallError) as caught:
        await call(bus.nc, "test.greet", Greet(name="crash"), Greeting)
    assert caught.value.status == 500
    assert "secret internals" not in caught.value.problem.model_dump_json()


async def test_a_subject_nobody_serves_is_unreachable_at_once(bus: Bus) -> None:
    with anyio.fail_after(2), pytest.raises(ServiceUnreachable):
        await call(bus.nc, "test.nobody-home", Greet(name="Ada"), Greeting, timeout=30)
