"""What resolution needs besides the database, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from crm_common.events import Actor
from crm_resolver.comparison.model import MatchModel
from crm_resolver.comparison.normalize import FreeMail, Nicknames
from crm_resolver.settings import Settings

SERVICE_ACTOR = Actor(kind="service", id="resolver", name="resolver")
SOURCE = "/resolver"


@dataclass(frozen=True)
class Context:
    settings: Settings
    free_mail: FreeMail
    nicknames: Nicknames
    model: MatchModel

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        nicknames = Nicknames.from_file(settings.nicknames_file)
        return cls(
            settings=settings,
            free_mail=FreeMail.from_file(settings.free_mail_domains_file),
            nicknames=nicknames,
            model=MatchModel.from_file(settings.model_file, nicknames),
        )

    @property
    def auto_link(self) -> float:
        return self.settings.auto_link_threshold

    @property
    def review(self) -> float:
        return self.settings.review_threshold
