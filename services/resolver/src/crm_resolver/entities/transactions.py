"""How the resolver's handlers and endpoints touch the database.

Every change, from an event or a request, runs in one write transaction under the write lock,
starts from a clean slate of dirty entities (what a failed event of the same batch left behind)
and publishes the entities it changed before it commits. Reads run in a read session. Requests
do their database work in a worker thread, off the event loop. It belongs to the entities: a
write ends by publishing the entities it changed, so every domain above them writes through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from crm_common.bus.consumer import Handler
from crm_common.db import Database
from crm_common.errors import UnprocessableEntity
from crm_common.events import CloudEvent
from crm_resolver.context import SERVICE_ACTOR, Context
from crm_resolver.database import lock_for_write
from crm_resolver.entities import service as entities

Req = TypeVar("Req", bound=BaseModel)
Resp = TypeVar("Resp", bound=BaseModel)
ContextHandler = Callable[[Context, CloudEvent, Session], None]


class Unstorable(UnprocessableEntity):
    title = "Invalid request"
    slug = "validation"


def handler(ctx: Context, handle: ContextHandler) -> Handler:
    """A consumer handler that runs `handle` as one resolver write."""

    def run(event: CloudEvent, session: Session) -> None:
        lock_for_write(session)
        entities.discard_dirty(session)
        handle(ctx, event, session)
        entities.publish_dirty(session, ctx)

    return run


def reader(db: Database, work: Callable[[Session, Req], Resp]) -> Callable[[Req], Awaitable[Resp]]:
    """An endpoint handler that answers from a read session."""

    def run(request: Req) -> Resp:
        with db.session() as session:
            try:
                return work(session, request)
            except DataError as exc:  # a value the database cannot hold (a NUL on PostgreSQL)
                raise Unstorable("a value cannot be stored or compared") from exc

    async def handle(request: Req) -> Resp:
        return await asyncio.to_thread(run, request)

    return handle


def writer(
    db: Database, ctx: Context, work: Callable[[Session, Req], Resp]
) -> Callable[[Req], Awaitable[Resp]]:
    """An endpoint handler that runs `work` as one resolver write, published as its actor's."""

    def run(request: Req) -> Resp:
        with db.transaction() as session:
            lock_for_write(session)
            entities.discard_dirty(session)
            result = work(session, request)
            entities.publish_dirty(session, ctx, actor=getattr(request, "actor", SERVICE_ACTOR))
            return result

    def guarded(request: Req) -> Resp:
        try:
            return run(request)
        except DataError as exc:
            raise Unstorable("a value cannot be stored or compared") from exc

    async def handle(request: Req) -> Resp:
        return await asyncio.to_thread(guarded, request)

    return handle
