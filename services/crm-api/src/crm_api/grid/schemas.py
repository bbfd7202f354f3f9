"""Types the grid's parts share: identifiers, flags, positions, custom values, the investor
kinds and the amounts a cell holds."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

Id = Annotated[str, Field(min_length=1, max_length=36)]
Flag = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        examples=["follow_up"],
        description="a lower-case identifier: follow_up, graveyard, priority, ...",
    ),
]
Flags = Annotated[list[Flag], Field(max_length=30)]
Position = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
# Custom column key -> value; on an update a key set to null removes its value.
Values = Annotated[dict[Annotated[str, Field(max_length=50)], Any], Field(max_length=100)]


class InvestorKind(StrEnum):
    ORGANIZATION = "organization"
    CONTACT = "contact"


class AmountField(StrEnum):
    EXPECTED = "expected_amount"
    COMMITTED = "committed_amount"
    FUNDED = "funded_amount"


AMOUNT_FIELDS = tuple(a.value for a in AmountField)
