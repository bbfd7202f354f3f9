"""Header values of a parsed message, decoded and normalised.

- Every header is read from its raw value: 8-bit bytes are repaired first (`repair_8bit`), then
  the standard library's header registry (`policy.default`) decodes RFC 2047 words in any
  charset; a word it cannot decode (bad base64, unknown charset) degrades to U+FFFD.
- Addresses come back as `Address(address, name)`: groups flattened, the domain lower-cased (the
  local part is case-sensitive by RFC 5321 and is kept), entries without a domain dropped.
- Dates are aware datetimes; `-0000` ("no zone known", RFC 5322 §3.3) is read as UTC, and a
  missing, unreadable or absurd date (before 1970, after 2200) is None.
- Message ids (`Message-ID`, `In-Reply-To`, `References`) are `<local@domain>`, stripped of
  comments and folding; a bare `local@domain` gets its brackets back.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy, utils
from email.headerregistry import AddressHeader, BaseHeader, DateHeader
from email.message import Message

from gmail_sync.messages.charsets import repair_8bit
from gmail_sync.messages.schemas import Address

_MSGID = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_BARE_MSGID = re.compile(r"(?<![<\w.+-])([\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+\w)")
_OLDEST = datetime(1970, 1, 1, tzinfo=UTC)
_NEWEST = datetime(2200, 1, 1, tzinfo=UTC)
SYNTHETIC_DOMAIN = "gmail-sync.invalid"


def raw_values(msg: Message, name: str) -> list[str]:
    """Every raw value of the header `name`, undecoded, in order."""
    return [value for key, value in msg.raw_items() if key.lower() == name.lower()]


def decode(name: str, raw: str, defects: list[str]) -> BaseHeader | None:
    """One raw header value, decoded by the header registry; None when it cannot be."""
    value = repair_8bit(raw)
    try:
        header = policy.default.header_fetch_parse(name, value)
    # The registry's parser has raised IndexError, ValueError and others on hostile input
    # (CPython issues about the _header_value_parser); a header must never stop the message.
    except (IndexError, ValueError, TypeError, AttributeError, LookupError) as error:
        defects.append(f"{name} header unreadable ({type(error).__name__})")
        return None
    if not isinstance(header, BaseHeader):
        return None
    defects.extend(f"{name} header: {type(d).__name__}" for d in header.defects)
    if "\ufffd" in header and "\ufffd" not in value:
        defects.append(f"{name} header: undecodable text replaced by U+FFFD")
    return header


def text(msg: Message, name: str, defects: list[str]) -> str:
    """An unstructured header (Subject), decoded and with whitespace collapsed; "" when absent."""
    raws = raw_values(msg, name)
    header = decode(name, raws[0], defects) if raws else None
    return " ".join(str(header).split()) if header is not None else ""


def addresses(msg: Message, name: str, defects: list[str]) -> tuple[Address, ...]:
    """Every mailbox in every `name` header (To may repeat), normalised and deduplicated."""
    found: list[Address] = []
    for raw in raw_values(msg, name):
        header = decode(name, raw, defects)
        if isinstance(header, AddressHeader):
            for item in header.addresses:
                address = normalise_address(item.addr_spec)
                if address is not None:
                    found.append(Address(address, item.display_name or None))
        else:
            found.extend(parse_address_list(repair_8bit(raw)))
    return tuple(dict.fromkeys(found))


def parse_address_list(value: str) -> tuple[Address, ...]:
    """Mailboxes from free text such as a forwarded block's `To: Ann <ann@x.com>, bob@y.org`,
    read by `email.utils.getaddresses` (Outlook's `Bob [mailto:bob@y.org]` included)."""
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value)
    found = []
    for name, addr in utils.getaddresses([value]):
        address = normalise_address(addr)
        if address is not None:
            found.append(Address(address, " ".join(name.split()) or None))
    return tuple(dict.fromkeys(found))


def normalise_address(addr_spec: str) -> str | None:
    """`Local@Example.COM` → `Local@example.com`; None for anything without a local part and a
    domain."""
    local, at, domain = addr_spec.strip().strip("<>").rpartition("@")
    if not at or not local or ("." not in domain and domain.lower() != "localhost"):
        return None
    return f"{local}@{domain.lower().rstrip('.')}"


def sent_at(msg: Message, defects: list[str]) -> datetime | None:
    """The Date header as an aware datetime (see the module's rules)."""
    raws = raw_values(msg, "Date")
    if not raws:
        return None
    header = decode("Date", raws[0], defects)
    when = header.datetime if isinstance(header, DateHeader) else None
    return _sane(when)


def parse_date(value: str) -> datetime | None:
    """An RFC 5322 date from free text; None when it is not one."""
    try:
        return _sane(utils.parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError):
        return None


def _sane(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when if _OLDEST <= when < _NEWEST else None


def message_ids(value: str | None) -> tuple[str, ...]:
    """The message ids in a Message-ID / In-Reply-To / References value, in order, each once."""
    if not value:
        return ()
    value = " ".join(repair_8bit(value).split())
    found = _MSGID.findall(value) or _BARE_MSGID.findall(value)
    return tuple(dict.fromkeys(f"<{found_id}>" for found_id in found))


def first_message_id(msg: Message, name: str) -> str | None:
    """The first id of the header `name`, or None."""
    raws = raw_values(msg, name)
    ids = message_ids(raws[0]) if raws else ()
    return ids[0] if ids else None


def all_message_ids(msg: Message, name: str) -> tuple[str, ...]:
    """Every id of every `name` header, in order, each once."""
    return tuple(dict.fromkeys(i for raw in raw_values(msg, name) for i in message_ids(raw)))


def synthetic_message_id(*, gmail_id: str, mailbox: str) -> str:
    """A stable stand-in for a missing Message-ID: `<sha256(mailbox, gmail id)@gmail-sync.invalid>`.

    The same Gmail message in the same mailbox always gets the same id (a re-sync or a replay
    changes nothing); the `.invalid` domain (RFC 2606) can never clash with a real id. A message
    without a Message-ID seen in two mailboxes gets two ids: nothing in the message ties the
    copies together safely, so they stay two messages.
    """
    digest = hashlib.sha256(f"{mailbox.strip().lower()}\0{gmail_id}".encode()).hexdigest()
    return f"<{digest[:40]}@{SYNTHETIC_DOMAIN}>"
