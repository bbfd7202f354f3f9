"""The hook through which auth's changes reach the audit log and the interaction log.

auth is the bottom of the identity stack: audit and interactions sit above it, so auth does not
write their entries itself. Each of them registers a recorder here when its service module is
imported (crm_api.audit.service, crm_api.interactions.service; crm_api.app imports both), and
every identity change auth makes goes to each recorder, in the change's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crm_common.events import Actor


@dataclass(frozen=True)
class Audited:
    """The audit-log side of a change: which entity, what was done, its state around it."""

    entity_type: str
    entity_id: str
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class IdentityChange:
    """One change to a user, a session or an API key, as the logs record it.

    `action`, `channel`, `targets`, `summary`, `payload` are the interaction-log entry's;
    `audited` is None for what the audit log does not keep (a sign-in).
    """

    actor: Actor
    action: str
    channel: str
    targets: list[tuple[str, str]]
    summary: str
    payload: Any = None
    audited: Audited | None = None


Recorder = Callable[[Session, IdentityChange], None]

_recorders: dict[str, Recorder] = {}


def on_change(name: str, recorder: Recorder) -> None:
    """Register `recorder` under `name` (registering a name again replaces its recorder)."""
    _recorders[name] = recorder


def record(session: Session, change: IdentityChange) -> None:
    """Hand `change` to every registered recorder."""
    for recorder in _recorders.values():
        recorder(session, change)


def updated(
    *,
    actor: Actor,
    target: tuple[str, str],
    before: dict[str, Any],
    after: dict[str, Any],
    channel: str,
    payload: dict[str, Any],
) -> IdentityChange:
    """An admin's change to a user or a key; its summary names the fields that changed."""
    entity_type, entity_id = target
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return IdentityChange(
        actor=actor,
        action=f"{entity_type}.update",
        channel=channel,
        targets=[target],
        summary=", ".join(changed),
        payload=payload,
        audited=Audited(
            entity_type=entity_type,
            entity_id=entity_id,
            action="update",
            before=before,
            after=after,
        ),
    )
