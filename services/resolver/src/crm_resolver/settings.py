from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings

DATA = Path(__file__).resolve().parent / "data"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESOLVER_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "resolver"
    has_database: ClassVar[bool] = True

    port: int = 8083
    auto_link_threshold: float = Field(
        default=0.95,
        gt=0.0,
        le=1.0,
        description="A new record whose match probability reaches this joins the entity.",
    )
    review_threshold: float = Field(
        default=0.30,
        gt=0.0,
        le=1.0,
        description="From here up to the auto-link threshold a pair goes to the review queue.",
    )
    free_mail_domains_file: Path = Field(
        default=DATA / "free_mail_domains.txt",
        description="Domains never used to link a person to an organization (one a line).",
    )
    nicknames_file: Path = Field(
        default=DATA / "nicknames.txt",
        description="Groups of equivalent given names (one group a line, comma-separated).",
    )
    model_file: Path = Field(
        default=DATA / "model.json",
        description="The probabilistic model: m and u probabilities per comparison level.",
    )
    strength_half_life_days: float = Field(
        default=180.0, gt=0.0, description="An interaction's weight halves every this many days."
    )
    paths_frontier: int = Field(
        default=50,
        ge=1,
        le=10_000,
        description="Intro paths expand at most this many entities per hop, the best first.",
    )
    max_block_size: int = Field(
        default=500,
        ge=10,
        description="A blocking key shared by more records than this proposes no candidates.",
    )

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> Settings:
        if self.review_threshold >= self.auto_link_threshold:
            raise ValueError(
                "RESOLVER_REVIEW_THRESHOLD must be below RESOLVER_AUTO_LINK_THRESHOLD "
                f"(got {self.review_threshold} and {self.auto_link_threshold})"
            )
        for name in ("free_mail_domains_file", "nicknames_file", "model_file"):
            path = getattr(self, name)
            if not Path(path).is_file():
                raise ValueError(f"RESOLVER_{name.upper()}: no such file: {path}")
        return self
