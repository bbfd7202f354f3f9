"""Calling the other services' request-reply endpoints (`resolver.*`, `search.*`, `gmail.*`)
from a route, over crm-api's own bus connection.

A route declares `services: Remote` and awaits `services.call(subject, request, Response)`. The
answer of the other service keeps its status: its 404 or 422 reaches the caller as the same
problem. A service that is not running (or not yet reachable) is a 503 naming it, never a hang.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from crm_common.bus.service import ServiceCallError, ServiceUnreachable, call
from crm_common.errors import PROBLEM_JSON, CRMError, Problem, ServiceUnavailable

Resp = TypeVar("Resp", bound=BaseModel)


def unavailable(service: str) -> dict[int | str, dict[str, Any]]:
    """The 503 a route that calls `service` documents in OpenAPI (`responses=`)."""
    return {
        503: {
            "description": f"{service} is not running or not reachable",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    }


class RemoteUnavailable(ServiceUnavailable):
    title = "A service this request needs is not available"
    slug = "service-unavailable"


class RemoteError(CRMError):
    """Another service's error answer, passed on as it came (its status, its problem)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem

    @property
    def status(self) -> int:  # type: ignore[override]
        return self.problem.status

    @property
    def title(self) -> str:  # type: ignore[override]
        return self.problem.title

    def to_problem(self, instance: str | None = None) -> Problem:
        fields: dict[str, Any] = self.problem.model_dump(exclude_none=True)
        if instance is not None:
            fields["instance"] = instance
        return Problem(**fields)


class RemoteServices:
    def __init__(self, request: Request) -> None:
        self._runtime = request.app.state.runtime

    async def call(
        self,
        subject: str,
        request: BaseModel,
        response: type[Resp],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the reply deadline of nats' request
    ) -> Resp:
        """Raises RemoteUnavailable (503) or RemoteError (the other service's status)."""
        service = subject.split(".", 1)[0]
        bus = self._runtime.bus
        if bus is None or not bus.is_connected:
            raise RemoteUnavailable(f"not connected to the bus; {service} cannot be asked")
        try:
            return await call(bus.nc, subject, request, response, timeout=timeout)
        except ServiceUnreachable as exc:
            raise RemoteUnavailable(f"{service} did not answer: {exc}", service=service) from exc
        except ServiceCallError as exc:
            raise RemoteError(exc.problem) from exc


Remote = Annotated[RemoteServices, Depends(RemoteServices)]
