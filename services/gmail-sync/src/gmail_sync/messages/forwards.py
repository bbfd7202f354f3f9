"""Inline forward blocks in a plain body, for the logging address (issue 15, item 8).

A block starts at a forward marker:
- Gmail: "---------- Forwarded message ---------" (and its translations),
- Apple Mail: "Begin forwarded message:" (and its translations),
- Outlook: "-----Original Message-----", or a line of underscores, or directly a "From:" line,
  only when the message's own subject says it is a forward (Fw:, Fwd:, TR:, WG:, RV:, I:,
  VS:, Doorst:): Outlook writes the same header block above a quoted reply.

After the marker comes a header block, "Name: value" lines (From, Date/Sent, To, Cc, Subject,
Message-ID, in the languages above, `*bold*` or not, long values wrapped onto following lines),
and then the original's text, up to the next forward marker. A date is read as RFC 5322 first,
then by dateutil (Gmail's "Mon, Jan 1, 2024 at 10:00 AM", Outlook's "Monday, January 1, 2024
10:00 AM"); one written without a zone is in the forwarder's zone, so it takes the zone of the
forwarding message's own Date (UTC when that has none).
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateparser

from gmail_sync.messages.headers import message_ids, parse_address_list, parse_date
from gmail_sync.messages.schemas import Forwarded

_MARKERS = re.compile(
    r"^[ \t>]*(?:"
    r"-{5,}\s*(?:Forwarded message|Message transféré|Weitergeleitete Nachricht|Mensaje reenviado"
    r"|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada|Vidarebefordrat meddelande"
    r"|Videresendt meddelelse)\s*-{5,}"
    r"|Begin forwarded message:|Début du message réexpédié\s?:"
    r"|Anfang der weitergeleiteten Nachricht:|Inicio del mensaje reenviado:"
    r"|Inizio messaggio inoltrato:|Begin doorgestuurd bericht:"
    r")[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_OUTLOOK_MARKERS = re.compile(
    r"^[ \t]*(?:-{5,}\s*Original Message\s*-{5,}|_{10,})[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_OUTLOOK_FROM = re.compile(r"^[ \t*]*(?:From|De|Von|Van|Da|Från|Fra|Od)[ \t*]*:", re.MULTILINE)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|tr|wg|rv|i|vs|doorst)\s*:", re.IGNORECASE)
_FIELD = re.compile(r"^[ \t>]*\*?([A-Za-zÀ-ÿ-]+(?: [A-Za-z-]+)?)\*?[ \t]*:\*?[ \t]*(.*)$")
_NAMES = {
    "sender": {"from", "de", "von", "van", "da", "från", "fra", "od", "remitente"},
    "sent_at": {
        "date",
        "sent",
        "envoyé",
        "gesendet",
        "datum",
        "fecha",
        "enviado",
        "data",
        "skickat",
        "sendt",
        "verzonden",
        "inviato",
        "enviada",
    },
    "to": {"to", "à", "a", "an", "para", "aan", "till", "til", "komu", "per"},
    "cc": {"cc", "kopie", "copie", "kopia"},
    "subject": {
        "subject",
        "objet",
        "betreff",
        "asunto",
        "oggetto",
        "onderwerp",
        "assunto",
        "ämne",
        "emne",
        "předmět",
        "temat",
    },
    "message_id": {"message-id", "message id"},
}
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s?([+-])(\d{1,2})(?::?(\d{2}))?\b")
_FIELD_OF = {name: key for key, names in _NAMES.items() for name in names}


def inline_forwards(body: str, *, subject: str, sent_at: datetime | None) -> tuple[Forwarded, ...]:
    """Every forward block of `body` (see the module's rules), outermost first."""
    spans = [(match.start(), match.end()) for match in _MARKERS.finditer(body)]
    if not spans and _FORWARD_SUBJECT.match(subject):
        if (marker := _OUTLOOK_MARKERS.search(body)) is not None:
            spans = [(marker.start(), marker.end())]
        elif (header := _OUTLOOK_FROM.search(body)) is not None:
            spans = [(header.start(), header.start())]
    zone = (sent_at.tzinfo if sent_at is not None else None) or UTC
    blocks = []
    for index, (_, start) in enumerate(spans):
        end = spans[index + 1][0] if index + 1 < len(spans) else len(body)
        forwarded = _read_block(body[start:end], zone)
        if forwarded is not None:
            blocks.append(forwarded)
    return tuple(blocks)


def _read_block(block: str, zone: tzinfo) -> Forwarded | None:
    fields: dict[str, str] = {}
    lines = block.lstrip("\r\n").splitlines()
    current: str | None = None
    consumed = 0
    for consumed, line in enumerate(lines, start=1):
        if not line.strip():
            if fields:
                break
            continue
        found = _FIELD.match(line)
        key = _FIELD_OF.get(found.group(1).strip().lower()) if found else None
        if found and key:
            current = key
            fields[key] = found.group(2).strip()
        elif current is not None and current in ("to", "cc", "subject"):
            fields[current] += " " + line.strip()
        else:
            consumed -= 1
            break
    if "sender" not in fields:
        return None
    senders = parse_address_list(fields["sender"].replace("*", ""))
    ids = message_ids(fields.get("message_id"))
    return Forwarded(
        sender=senders[0] if senders else None,
        to=parse_address_list(fields.get("to", "").replace("*", "")),
        cc=parse_address_list(fields.get("cc", "").replace("*", "")),
        sent_at=_date(fields.get("sent_at", ""), zone),
        subject=fields.get("subject", "").strip("* ") or None,
        message_id=ids[0] if ids else None,
        text="\n".join(line.removeprefix("> ") for line in lines[consumed:]).strip(),
        is_attached=False,
    )


def _date(value: str, zone: tzinfo) -> datetime | None:
    value = value.strip("* ")
    if not value:
        return None
    if (rfc := parse_date(value)) is not None:
        return rfc
    # "GMT+1" as Apple Mail writes it means UTC+01:00; dateutil reads it the POSIX way (UTC-1).
    value = _GMT_OFFSET.sub(
        lambda m: f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", value
    )
    with warnings.catch_warnings():
        # An unknown zone name ("CET", "MESZ") is read as no zone, then given the forwarder's.
        warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
        try:
            when: datetime = dateparser.parse(value, fuzzy=True)
        except (ValueError, OverflowError):
            return None
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)
