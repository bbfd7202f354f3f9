"""The routes every aggregate has, made once: list, create, read, update, delete, restore, purge.

A domain hands over its schemas and service functions and gets a router it can add to (the
contact dossier, an opportunity's stage). This module does not use postponed annotations:
FastAPI reads the closures' annotations, which must be the domain's real classes.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from crm_api.auth.dependencies import Admin, Reader, Writer
from crm_api.database import ReadSession, WriteSession
from crm_api.kit.http import with_etag
from crm_api.kit.idempotency import IdempotencyKey, run_once
from crm_api.kit.pagination import IfMatch, parse_if_match


@dataclass(frozen=True)
class AggregateRoutes:
    """What `aggregate_router` needs from a domain."""

    plural: str  # "organizations": the path segment, and the OpenAPI tag
    singular: str  # "organization": used in summaries
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    read_schema: type[BaseModel]
    filter_schema: type[BaseModel]
    page_schema: type[BaseModel]
    search: Callable[..., BaseModel]
    create: Callable[..., dict[str, Any]]
    read: Callable[..., BaseModel] | None
    update: Callable[..., dict[str, Any]]
    delete: Callable[..., dict[str, Any]]
    restore: Callable[..., dict[str, Any]]
    purge: Callable[..., None]
    view_schema: type[BaseModel] | None = None  # GET {id}, when richer than read_schema
    # Extra dependencies of the list and the read (communications mark outside text served).
    read_dependencies: Sequence[Any] = ()


def aggregate_router(spec: AggregateRoutes) -> APIRouter:
    router = APIRouter(prefix="/api", tags=[spec.plural])
    base = f"/{spec.plural}"
    item = f"/{spec.plural}/{{record_id}}"
    Filter = spec.filter_schema
    Create = spec.create_schema
    Update = spec.update_schema

    def list_records(
        _: Reader,
        filters: Annotated[Filter, Query()],  # type: ignore[valid-type]
        session: ReadSession,
    ) -> Any:
        return spec.search(session, filters=filters)

    def create_record(
        principal: Writer,
        body: Create,  # type: ignore[valid-type]
        session: WriteSession,
        key: IdempotencyKey = None,
    ) -> JSONResponse:
        return run_once(
            session,
            principal=principal,
            key=key,
            scope=f"POST /api{base}",
            request=body.model_dump(mode="json"),  # type: ignore[attr-defined]
            status=201,
            run=lambda: spec.create(session, data=body, by=principal),
        )

    def read_record(_: Reader, record_id: str, session: ReadSession) -> JSONResponse:
        assert spec.read is not None
        return with_etag(spec.read(session, record_id=record_id))

    def update_record(
        principal: Writer,
        record_id: str,
        body: Update,  # type: ignore[valid-type]
        session: WriteSession,
        if_match: IfMatch = None,
    ) -> JSONResponse:
        return with_etag(
            spec.update(
                session,
                record_id=record_id,
                data=body,
                expected_version=parse_if_match(if_match),
                by=principal,
            )
        )

    def delete_record(principal: Writer, record_id: str, session: WriteSession) -> JSONResponse:
        return with_etag(spec.delete(session, record_id=record_id, by=principal))

    def restore_record(principal: Writer, record_id: str, session: WriteSession) -> JSONResponse:
        return with_etag(spec.restore(session, record_id=record_id, by=principal))

    def purge_record(principal: Admin, record_id: str, session: WriteSession) -> None:
        spec.purge(session, record_id=record_id, by=principal)

    name = spec.singular
    router.add_api_route(
        base,
        list_records,
        methods=["GET"],
        response_model=spec.page_schema,
        dependencies=list(spec.read_dependencies),
        name=f"list_{spec.plural}",
        summary=f"List {spec.plural}",
        description="The records matching the filters, a page at a time, with the total.",
    )
    router.add_api_route(
        base,
        create_record,
        methods=["POST"],
        response_model=spec.read_schema,
        status_code=status.HTTP_201_CREATED,
        name=f"create_{name}",
        summary=f"Create a {name}",
        description="With an Idempotency-Key, a retry gets the first answer, nothing twice.",
    )
    if spec.read is not None:
        router.add_api_route(
            item,
            read_record,
            methods=["GET"],
            response_model=spec.read_schema,
            dependencies=list(spec.read_dependencies),
            name=f"get_{name}",
            summary=f"Read a {name}",
        )
    router.add_api_route(
        item,
        update_record,
        methods=["PATCH"],
        response_model=spec.read_schema,
        name=f"update_{name}",
        summary=f"Update a {name}",
        description="If-Match must name the version you read: 428 without it, 409 if it moved on.",
    )
    router.add_api_route(
        item,
        delete_record,
        methods=["DELETE"],
        response_model=spec.read_schema,
        name=f"delete_{name}",
        summary=f"Delete a {name} (soft: hidden, restorable)",
    )
    router.add_api_route(
        f"{item}/restore",
        restore_record,
        methods=["POST"],
        response_model=spec.read_schema,
        name=f"restore_{name}",
        summary=f"Restore a deleted {name}",
    )
    router.add_api_route(
        f"/admin/{spec.plural}/{{record_id}}/purge",
        purge_record,
        methods=["POST"],
        status_code=status.HTTP_204_NO_CONTENT,
        name=f"purge_{name}",
        summary=f"Erase a deleted {name} for good (admins; the audit log keeps its last state)",
    )
    return router
