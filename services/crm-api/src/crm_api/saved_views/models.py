from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base
from crm_api.kit.models import AggregateMixin

_LIVE = text("deleted_at IS NULL")


class SavedView(AggregateMixin, Base):
    """A named set of one list's query parameters (its search, filters and sort), its owner's
    own or shared with everyone. The grid's views are its own (`grid_view`)."""

    __tablename__ = "saved_view"
    __table_args__ = (
        # One live view per name (whatever its case) per owner and list; a deleted one frees it.
        Index(
            "uq_saved_view_owner_list_name_live",
            "owner_id",
            "list_key",
            "name_key",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index("ix_saved_view_list_key_shared", "list_key", "is_shared"),
        Index("ix_saved_view_updated_at", "updated_at"),
    )

    owner_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    list_key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    # name.casefold(), kept by the service (as tags do): SQLite's lower() is ASCII-only.
    name_key: Mapped[str] = mapped_column(String(400))
    params: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
