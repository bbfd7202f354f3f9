"""The kinds of record an agent may cite: as a read tool's evidence in the MCP gateway, and as an
agent action's evidence in crm-api.

A CRM record (contact, organization, opportunity, communication, follow-up, LP profile, fund), a
canonical entity of the resolver, or a chunk of search's index. One `Literal`, so the gateway's
output schemas and crm-api's request bodies name the same kinds.
"""

from __future__ import annotations

from typing import Literal

RecordType = Literal[
    "contact",
    "organization",
    "opportunity",
    "communication",
    "follow_up",
    "lp_profile",
    "fund",
    "entity",
    "chunk",
]
