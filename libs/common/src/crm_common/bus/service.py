"""Typed request-reply services on the `nats.micro` services API.

A service declares endpoints with a pydantic request and response model. A request that does not
validate, or a handler that raises a `CRMError`, is answered with the micro error headers
(`Nats-Service-Error-Code`, `Nats-Service-Error`) and an RFC 9457 problem body, so the caller
gets a `ServiceCallError` at once instead of a timeout. `call` is the typed client;
`EndpointsWorker` serves a list of endpoints for as long as a `ServiceRuntime` runs.

    ServiceCallError        the service answered with an error: .status, .problem
    ServiceUnreachable      nobody serves the subject (no responders) or no answer in time
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import nats.errors
from nats.aio.client import Client
from nats.micro import add_service
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER, Request
from nats.micro.service import EndpointConfig, Service, ServiceConfig
from pydantic import BaseModel, ValidationError

from crm_common import metrics
from crm_common.errors import CRMError, Problem

logger = logging.getLogger(__name__)

Req = TypeVar("Req", bound=BaseModel)
Resp = TypeVar("Resp", bound=BaseModel)


@dataclass(frozen=True)
class Endpoint(Generic[Req, Resp]):
    """One request-reply endpoint: `subject` takes a `request` model and answers a `response`."""

    name: str
    subject: str
    request: type[Req]
    response: type[Resp]
    handler: Callable[[Req], Awaitable[Resp]]
    description: str = ""


class ServiceCallError(Exception):
    """The service answered with an error."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(f"{status} {problem.title}: {problem.detail or ''}".strip())
        self.status = status
        self.problem = problem


class ServiceUnreachable(Exception):
    """No service answered: none listens on the subject, or none answered in time."""


def _problem_body(status: int, title: str, detail: str | None, **extra: Any) -> bytes:
    return (
        Problem(
            type=f"urn:lp-crm:problem:{'validation' if status == 422 else 'service-error'}",
            title=title,
            status=status,
            detail=detail,
            **extra,
        )
        .model_dump_json(exclude_none=True)
        .encode()
    )


async def _respond_error(request: Request, status: int, title: str, body: bytes) -> None:
    await request.respond(body, headers={ERROR_CODE_HEADER: str(status), ERROR_HEADER: title})


def _wrap(endpoint: Endpoint[Any, Any]) -> Callable[[Request], Awaitable[None]]:
    async def handle(request: Request) -> None:
        try:
            parsed = endpoint.request.model_validate_json(request.data or b"{}")
        except ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ]
            metrics.REQUESTS_SERVED.labels(endpoint.subject, "invalid").inc()
            await _respond_error(
                request,
                422,
                "Invalid request",
                _problem_body(
                    422, "Invalid request", f"{len(errors)} invalid field(s)", errors=errors
                ),
            )
            return
        try:
            result = await endpoint.handler(parsed)
        except CRMError as exc:
            metrics.REQUESTS_SERVED.labels(endpoint.subject, "error").inc()
            await _respond_error(
                request, exc.status, exc.title, exc.to_problem().model_dump_json().encode()
            )
            return
        except Exception:  # the service must answer, not leave the caller to time out
            logger.exception("request to %s failed", endpoint.subject)
            metrics.REQUESTS_SERVED.labels(endpoint.subject, "failed").inc()
            await _respond_error(
                request, 500, "Internal error", _problem_body(500, "Internal error", None)
            )
            return
        metrics.REQUESTS_SERVED.labels(endpoint.subject, "ok").inc()
        await request.respond(endpoint.response.model_validate(result).model_dump_json().encode())

    return handle


async def start_service(
    nc: Client,
    *,
    name: str,
    version: str,
    endpoints: Sequence[Endpoint[Any, Any]],
    description: str = "",
    queue_group: str | None = None,
) -> Service:
    """Start a micro service answering `endpoints`; stop it with `await service.stop()`."""
    service = await add_service(
        nc,
        ServiceConfig(
            name=name,
            version=version,
            description=description,
            queue_group=queue_group or name,
        ),
    )
    for endpoint in endpoints:
        await service.add_endpoint(
            EndpointConfig(
                name=endpoint.name,
                subject=endpoint.subject,
                handler=_wrap(endpoint),
                metadata={
                    "description": endpoint.description,
                    "request_schema": json.dumps(endpoint.request.model_json_schema()),
                    "response_schema": json.dumps(endpoint.response.model_json_schema()),
                },
            )
        )
    return service


class EndpointsWorker:
    """A runtime worker (crm_common.runtime) that serves `endpoints` as one micro service."""

    def __init__(
        self,
        nc: Client,
        *,
        name: str,
        version: str,
        endpoints: Sequence[Endpoint[Any, Any]],
        description: str = "",
    ) -> None:
        self._nc = nc
        self._name = name
        self._version = version
        self._endpoints = list(endpoints)
        self._description = description
        self._service: Service | None = None
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        self._service = await start_service(
            self._nc,
            name=self._name,
            version=self._version,
            endpoints=self._endpoints,
            description=self._description,
        )
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._service is not None:
            # With the bus gone, unsubscribing fails; there is nothing left to stop then.
            with contextlib.suppress(nats.errors.Error, OSError):
                await self._service.stop()
        self._stopped.set()


async def call(
    nc: Client,
    subject: str,
    request: BaseModel,
    response: type[Resp],
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - nats' own reply deadline, not a cancel scope
) -> Resp:
    """Send `request` to `subject` and parse the answer as `response`.

    Raises:
        ServiceCallError: the service answered with an error (bad request, not found, ...).
        ServiceUnreachable: no service listens on `subject`, or none answered within `timeout`.
    """
    try:
        msg = await nc.request(subject, request.model_dump_json().encode(), timeout=timeout)
    except nats.errors.NoRespondersError as exc:
        raise ServiceUnreachable(f"no service answers {subject}") from exc
    except nats.errors.TimeoutError as exc:
        raise ServiceUnreachable(f"{subject} did not answer within {timeout}s") from exc
    headers = msg.headers or {}
    code = headers.get(ERROR_CODE_HEADER)
    if code is not None:
        title = headers.get(ERROR_HEADER, "Service error")
        try:
            problem = Problem.model_validate_json(msg.data)
        except ValidationError:
            problem = Problem(
                title=title, status=int(code), detail=msg.data.decode(errors="replace")
            )
        raise ServiceCallError(int(code), problem)
    return response.model_validate_json(msg.data)
