from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, TimestampMixin


class LookupValue(TimestampMixin, Base):
    __tablename__ = "lookup_value"

    list_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # For pipeline stages: whether an opportunity in this stage is closed (won or lost).
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
