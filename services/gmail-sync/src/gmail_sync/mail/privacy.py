"""The privacy rules: what of a message the service may keep and publish.

- Excluded labels (`EXCLUDED_LABELS`, by name, e.g. Personal), excluded domains and addresses
  (any participant: from, to, cc, bcc, reply-to): the message is withheld. Nothing of it is
  stored but what dedup needs — the sighting's Gmail id (so the next sync does not fetch it
  again) and the SHA-256 of its Message-ID (so its copy in another mailbox is withheld too, even
  there without the label: one partner's "Personal" is the team's). Nothing is published; if
  it had been published before, it is retracted (a `deleted` event).
- A person's opt-out: their mailbox is not synced at all (the account's `is_opted_out`).
- Bodies and attachments only for mail that matches a CRM entity; headers only otherwise.
- A message a person marks private: its bodies and attachments are dropped and it is retracted
  everywhere (a `deleted` event with `is_private`), whatever the rules say later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gmail_sync.messages import ParsedMessage
from gmail_sync.settings import Settings

LABEL = "label"
ADDRESS = "address"
ELSEWHERE = "elsewhere"


def message_hash(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8", errors="surrogatepass")).hexdigest()


def participants(parsed: ParsedMessage) -> list[str]:
    people = (
        *parsed.sender,
        *parsed.to,
        *parsed.cc,
        *parsed.bcc,
        *parsed.reply_to,
    )
    return [a.address.lower() for a in people if a.address]


@dataclass(frozen=True)
class PrivacyRules:
    excluded_label_names: frozenset[str]
    excluded_domains: frozenset[str]
    excluded_addresses: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> PrivacyRules:
        return cls(
            excluded_label_names=frozenset(n.lower() for n in settings.excluded_labels),
            excluded_domains=frozenset(settings.excluded_domains),
            excluded_addresses=frozenset(settings.excluded_addresses),
        )

    def excluded_label_ids(self, labels: Mapping[str, str]) -> frozenset[str]:
        """The ids, among a mailbox's labels {id: name}, of the excluded ones."""
        return frozenset(
            i for i, name in labels.items() if name.lower() in self.excluded_label_names
        )

    def is_label_excluded(self, label_ids: Iterable[str], excluded_ids: frozenset[str]) -> bool:
        return bool(set(label_ids) & excluded_ids)

    def is_address_excluded(self, addresses: Iterable[str]) -> bool:
        for address in addresses:
            if address in self.excluded_addresses:
                return True
            if address.rpartition("@")[2] in self.excluded_domains:
                return True
        return False
