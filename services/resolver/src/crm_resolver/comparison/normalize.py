"""Normalizing what records say about who they are: names, email addresses, domains.

Names are folded to lower-case ASCII (anyascii: "Müller" and "Muller", "Дмитрий" and "Dmitrii"
compare equal), stripped of titles and suffixes ("Dr. Jane Doe, PhD" is Jane Doe), and their
given names are compared through nickname groups (Bill is William). Addresses are lower-cased,
lose their `+tag`, and Gmail's dots; a domain on the free-mail list says nothing about an
employer, so it never links anyone to an organization.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jellyfish
from anyascii import anyascii


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = _words(
    """mr mrs ms miss mx dr doctor prof professor sir dame lord lady rev reverend fr father hon
    honorable honourable judge justice capt captain col colonel gen general maj major lt sen
    senator rep amb ambassador president chairman chair ceo cfo cio coo cto md"""
)
SUFFIXES = _words(
    """jr jnr sr snr ii iii iv v phd dphil md do dds esq esquire cfa cpa caia mba jd llm obe
    mbe cbe kbe qc kc frcs"""
)
# Particles that belong to a surname: "van der Berg" is compared as "vanderberg".
PARTICLES = _words("""van von der den de del della di da du la le st ter ten bin ibn al""")
# Legal forms and filler words that say nothing about which organization it is.
ORG_STOPWORDS = _words(
    """the and of llc l l c lc inc incorporated corp corporation co company ltd limited lp llp
    lllp plc gmbh ag kg sa sas sarl bv nv pty pte srl spa ab as oy kk group holding holdings
    trust"""
)
# Mailboxes that name a function, not a person: never a blocking key.
ROLE_LOCAL_PARTS = _words(
    """info admin contact hello office team sales support mail noreply no-reply invest investor
    investors ir admin billing accounts help enquiries inquiries"""
)
GMAIL = frozenset({"gmail.com", "googlemail.com"})

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"\D+")


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    return _NOT_ALNUM.sub(" ", ascii_text.replace("&", " and ").replace("'", "")).strip()


def phonetic(word: str) -> str:
    """NYSIIS code of a folded word (robust to the vowel and doubling errors of names)."""
    return jellyfish.nysiis(word) if word else ""


# -- people's names -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    first: str  # folded given name, "" when unknown
    last: str  # folded surname with its particles joined, "" when unknown

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}".strip()


def _clean_tokens(text: str) -> list[str]:
    tokens = fold(text).split()
    while tokens and tokens[0] in TITLES:
        tokens.pop(0)
    while tokens and tokens[-1] in SUFFIXES:
        tokens.pop()
    return tokens


def _surname(tokens: list[str]) -> str:
    return "".join(tokens)


def person_name(
    first: str | None = None, last: str | None = None, display: str | None = None
) -> PersonName:
    """Parse a person's name from its parts, or from a display name ("Doe, Jane", "Dr Jane
    Q. Doe")."""
    if first or last:
        first_tokens = _clean_tokens(first or "")
        last_tokens = _clean_tokens(last or "")
        return PersonName(
            first=first_tokens[0] if first_tokens else "",
            last=_surname(last_tokens),
        )
    if not display:
        return PersonName("", "")
    raw = display.strip().strip("\"'")
    if "@" in raw:  # a display name that is an address says nothing more
        return PersonName("", "")
    if "," in raw:
        last_part, _, first_part = raw.partition(",")
        if not _clean_tokens(first_part):  # "Jane Doe, PhD"
            raw = last_part
        else:
            return person_name(first=first_part, last=last_part)
    tokens = _clean_tokens(raw)
    if not tokens:
        return PersonName("", "")
    if len(tokens) == 1:
        return PersonName(first=tokens[0], last="")
    # The surname starts at its first particle, else it is the last word; middle names drop.
    start = len(tokens) - 1
    for index in range(1, len(tokens) - 1):
        if tokens[index] in PARTICLES:
            start = index
            break
    return PersonName(first=tokens[0], last=_surname(tokens[start:]))


class Nicknames:
    """Groups of equivalent given names, from a file of comma-separated groups."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._groups: dict[str, set[str]] = {}
        for group in groups:
            names = [fold(name).replace(" ", "") for name in group]
            names = [n for n in names if n]
            if not names:
                continue
            head = names[0]
            for name in names:
                self._groups.setdefault(name, set()).add(head)

    @classmethod
    def from_file(cls, path: Path) -> Nicknames:
        return cls(_data_lines(path, split=True))

    def groups(self, name: str) -> frozenset[str]:
        """The heads of the groups `name` is in (itself included when it heads one)."""
        return frozenset(self._groups.get(name, ()))

    def equivalent(self, left: str, right: str) -> bool:
        if not left or not right:
            return False
        if left == right:
            return True
        return bool(self.groups(left) & self.groups(right))


# -- addresses and domains ----------------------------------------------------------------------


def normalize_email(address: str | None) -> str | None:
    """The address as the mailbox it reaches: lower case, no `+tag`, no dots in a Gmail local
    part; None when it is not an address."""
    if not address:
        return None
    text = address.strip().strip("<>").strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain or " " in text:
        return None
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        domain = "gmail.com"
        local = local.replace(".", "")
    if not local:
        return None
    return f"{local}@{domain}"


def email_domain(address: str) -> str:
    return address.rpartition("@")[2]


def email_local(address: str) -> str:
    """The local part reduced to letters and digits: 'jane.doe' and 'janedoe' are one."""
    return _NOT_ALNUM.sub("", address.rpartition("@")[0])


def normalize_domain(value: str | None) -> str | None:
    """A bare host name from a domain or a URL ("https://www.harbor.example/about")."""
    if not value:
        return None
    text = value.strip().lower()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
        return None
    return host


class FreeMail:
    """The free-mail domains: an address there says nothing about an employer."""

    def __init__(self, domains: Iterable[str]) -> None:
        self._domains = frozenset(d.strip().lower() for d in domains if d.strip())

    @classmethod
    def from_file(cls, path: Path) -> FreeMail:
        return cls(line[0] for line in _data_lines(path, split=False))

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str):
            return False
        parts = domain.lower().split(".")
        # mail.yahoo.co.uk is yahoo.co.uk's: any parent on the list counts.
        return any(".".join(parts[i:]) in self._domains for i in range(len(parts) - 1))

    def __len__(self) -> int:
        return len(self._domains)


def phone_key(number: str | None) -> str | None:
    """The last nine digits: the same line whatever the country prefix or punctuation."""
    digits = _DIGITS.sub("", number or "")
    return digits[-9:] if len(digits) >= 7 else None


# -- organizations ------------------------------------------------------------------------------


def org_name_key(name: str | None) -> str:
    """An organization's name without legal forms and filler: "The Harbor Group, LLC" is
    "harbor"."""
    tokens = [t for t in fold(name).split() if t not in ORG_STOPWORDS]
    return " ".join(tokens)


@cache
def _read(path: str) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8").splitlines())


def _data_lines(path: Path, *, split: bool) -> list[list[str]]:
    found = []
    for raw in _read(str(path)):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        found.append([part.strip() for part in line.split(",")] if split else [line])
    return found
