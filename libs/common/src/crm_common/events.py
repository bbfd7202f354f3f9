"""The CloudEvents 1.0 envelope of every event on the bus.

An event carries the full state of its aggregate after the change (`data`), the principal who
made it (`actor`) and the aggregate's monotonic `version`. Its `type` is also its NATS subject:
`<source>.<aggregate>.<action>`, e.g. `crm.contact.updated`; its `subject` is the aggregate id.
A snapshot re-sends every record's current state as `<source>.<aggregate>.snapshot` events that
carry the `snapshotid` extension.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from crm_common.ids import new_id_str

ActorKind = Literal["user", "agent", "service"]


class Actor(BaseModel):
    """Who caused an event: a signed-in user, an agent's API key, or a service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ActorKind
    id: str = Field(min_length=1)
    name: str | None = None


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event (structured JSON mode) with `actor` and `version` extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=new_id_str, min_length=1)
    source: str = Field(min_length=1, description="URI-reference of the producer, e.g. /crm-api")
    type: str = Field(description="<source>.<aggregate>.<action>; also the NATS subject")
    subject: str = Field(min_length=1, description="The aggregate's id")
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    actor: Actor
    version: int = Field(ge=1, description="The aggregate's version after this change")
    snapshotid: str | None = Field(
        default=None,
        description="Set on the events of a snapshot (`<source>.<aggregate>.snapshot`): which one",
    )
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _check_type(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) != 3 or not all(
            p and p.replace("_", "").replace("-", "").isalnum() for p in parts
        ):
            raise ValueError("must be <source>.<aggregate>.<action>, e.g. crm.contact.created")
        return value

    @property
    def aggregate(self) -> str:
        """`<source>.<aggregate>`, the key the version is counted under, e.g. `crm.contact`."""
        return self.type.rsplit(".", 1)[0]

    @property
    def action(self) -> str:
        return self.type.rsplit(".", 1)[1]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        """Parse an event.

        Raises:
            pydantic.ValidationError: the bytes are not a valid envelope.
        """
        return cls.model_validate_json(raw)
