"""Which CRM entities a message's addresses belong to, asked of the resolver.

For each address, `resolver.resolve` with `include_domain`: the persons holding the exact
address (match kind `exact_address`, confidence 1.0), then the organizations at its domain
unless it is a free-mail domain (`domain`, the resolver's confidence). The free-mail list and
every rule live in the resolver; nothing is guessed here. Only entities that a CRM record
stands behind count: the resolver also makes a person of every email participant it sees (from
our own events), and mail matching only those is not "matching a CRM entity".

The sync runs in worker threads and asks over the service's NATS connection on its event loop
(`match_blocking`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from nats.aio.client import Client

from crm_common.bus.service import ServiceCallError, ServiceUnreachable, call
from crm_common.contracts import resolver as contract

logger = logging.getLogger(__name__)

CRM_SOURCES = frozenset({"contact", "organization", "grid_row", "lp_profile"})
_KINDS = {"exact_email": "exact_address", "domain": "domain"}


@dataclass(frozen=True)
class Match:
    entity_id: str
    entity_kind: str
    address: str
    match_kind: str
    confidence: float


class MatchingUnavailable(Exception):
    """The resolver did not answer: the messages wait for the next run rather than be stored
    unmatched (their bodies would be lost)."""


class Matcher(Protocol):
    def match_blocking(self, addresses: Iterable[str]) -> dict[str, list[Match]]: ...


def is_crm_entity(entity: contract.EntityState) -> bool:
    return entity.status == "active" and any(
        link.source_kind in CRM_SOURCES for link in entity.links
    )


def matches_of(address: str, answer: contract.ResolveResponse) -> list[Match]:
    found: list[Match] = []
    for hit in answer.matches:
        kind = _KINDS.get(hit.match_kind)
        if kind is None or not is_crm_entity(hit.entity):
            continue
        found.append(
            Match(
                entity_id=hit.entity.id,
                entity_kind=hit.entity.kind,
                address=address,
                match_kind=kind,
                confidence=hit.probability,
            )
        )
    return found


class ResolverMatcher:
    """Asks `resolver.resolve` over `nc`, on `loop` (the service's event loop)."""

    def __init__(
        self, nc: Client, *, loop: asyncio.AbstractEventLoop, timeout: float = 10.0
    ) -> None:
        self._nc = nc
        self._loop = loop
        self._timeout = timeout

    async def match(self, addresses: Iterable[str]) -> dict[str, list[Match]]:
        """Raises:
        MatchingUnavailable: the resolver did not answer, or refused a request.
        """
        unique = sorted({a.strip().lower() for a in addresses if a and "@" in a})
        answers = await asyncio.gather(*(self._one(a) for a in unique))
        return dict(zip(unique, answers, strict=True))

    async def _one(self, address: str) -> list[Match]:
        if len(address) > 320:
            return []
        try:
            answer = await call(
                self._nc,
                contract.SUBJECT_RESOLVE,
                contract.ResolveRequest(email=address, include_domain=True, limit=20),
                contract.ResolveResponse,
                timeout=self._timeout,
            )
        except ServiceUnreachable as exc:
            raise MatchingUnavailable(str(exc)) from exc
        except ServiceCallError as exc:
            if exc.status == 422:  # an address the resolver cannot read matches nothing
                return []
            raise MatchingUnavailable(str(exc)) from exc
        return matches_of(address, answer)

    def match_blocking(self, addresses: Iterable[str]) -> dict[str, list[Match]]:
        """`match` from a worker thread.

        Raises:
            MatchingUnavailable: as `match`.
        """
        future = asyncio.run_coroutine_threadsafe(self.match(list(addresses)), self._loop)
        try:
            return future.result(timeout=self._timeout * 3)
        except TimeoutError as exc:
            future.cancel()
            raise MatchingUnavailable("the resolver did not answer in time") from exc
