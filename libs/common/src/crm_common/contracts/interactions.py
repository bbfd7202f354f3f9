"""The interaction log's payload digest, computed alike by crm-api (for a write made through it)
and by the MCP gateway (for a tool call it appends).

An entry keeps the digest of its payload, never the payload: the log proves what was asked
without holding what an agent or a person sent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic_core import to_jsonable_python


def digest(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON: sorted keys, no spaces.

    Values JSON has no type for are rendered as pydantic renders them (a datetime in ISO 8601,
    a model as its fields), and anything pydantic cannot render as its `str()`, so both
    services reach the same digest from the same payload.

    Args:
        payload: JSON-like data: mappings, sequences and scalars, models and datetimes inside.

    Returns:
        The digest, 64 lowercase hex digits.
    """
    canonical = json.dumps(
        to_jsonable_python(payload, fallback=str), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
