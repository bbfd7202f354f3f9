"""The consumer of `resolver.entity.*` in crm-api (a runtime worker of its app)."""

from __future__ import annotations

from crm_api.canonical import service
from crm_common.bus.consumer import ConsumerSpec

CONSUMER = "crm-api-canonical"

SPEC = ConsumerSpec(
    name=CONSUMER,
    stream="RESOLVER",
    filter_subjects=["resolver.entity.>"],
    handlers={
        f"resolver.entity.{action}": service.apply for action in ("upserted", "merged", "split")
    },
)
