"""Realistic mailboxes for gmail-sync's tests and benchmarks, the same for the same seed.

`generate_corpus(n, seed=...)` writes `n` messages among a team's mailboxes and outside contacts,
with the standard library's `email` package: conversations threaded by Message-ID / In-Reply-To /
References with quoted replies, forwards (attached as message/rfc822, and inline after
"---------- Forwarded message ---------"), HTML-only bodies, text in iso-8859-1, windows-1252,
shift_jis and koi8-r (headers RFC 2047-encoded in the same charset) and UTF-8 with encoded
headers, attachments (a few big), inline images (Content-Disposition inline with a Content-ID),
messages without a Message-ID, malformed MIME, and messages that reach three team mailboxes.

Each message records its `kinds`, so a test can assert counts after a sync; `Corpus.load_into`
puts every copy into its mailbox of a `GoogleFake`, with the labels a mailbox would give it (SENT
for the sender, INBOX for a recipient) and one Gmail thread per conversation.
"""

from __future__ import annotations

import base64
import quopri
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gmail_fake.fake import GoogleFake

TEAM = ("ann@fund.example", "ben@fund.example", "cat@fund.example")
FIRST_NAMES = (
    "Alice",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Greta",
    "Hiro",
    "Zoë",
    "Łukasz",
)
LAST_NAMES = (
    "Adams",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hale",
    "Ito",
    "Jansen",
)
COMPANIES = (
    "northpeak",
    "tidewater",
    "oakfield",
    "bluecrest",
    "granite",
    "meridian",
    "harbor",
    "summit",
)
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com")
TOPICS = (
    "Fund III capital call",
    "Quarterly report Q2",
    "Side letter draft",
    "Re-up discussion",
    "Due diligence questionnaire",
    "Annual meeting logistics",
    "Co-investment opportunity",
    "Subscription documents",
)
# Text in each odd charset, with the subject and signature in the same script.
CHARSET_TEXTS = {
    "iso-8859-1": (
        "Réunion à Genève",
        "Très bien, je confirme notre réunion à Genève. À bientôt, François",
    ),
    "windows-1252": ("Budget – “final” €", "Thanks — the “final” budget is €2.5m… see you Monday"),
    "shift_jis": (
        "四半期報告書について",
        "お世話になっております。四半期報告書を添付いたします。よろしくお願いいたします。",
    ),
    "koi8-r": (
        "Отчёт за квартал",
        "Добрый день! Направляем отчёт за квартал. С уважением, Дмитрий",
    ),
    "utf-8": ("Zoë’s naïve café — 会議 ✓", "Grüße aus Zürich! Ça va? 会議は月曜日です ✓"),
}
_ASCII = str.maketrans({"ë": "e", "Ł": "L"})
KINDS = (
    "reply",
    "html_only",
    "alternative",
    "charset",
    "attachment",
    "big_attachment",
    "inline_image",
    "forward_attached",
    "forward_inline",
    "no_message_id",
    "malformed",
    "three_mailboxes",
)


@dataclass(frozen=True)
class Delivery:
    """One copy of a message: its mailbox and the labels it has there."""

    mailbox: str
    label_ids: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedMessage:
    raw: bytes = field(repr=False)
    internal_date: datetime
    message_id: str | None  # the Message-ID header, None when the message has none
    thread_key: str  # the conversation: one Gmail thread per mailbox
    deliveries: tuple[Delivery, ...]
    kinds: frozenset[str]  # among KINDS, plus "charset:<name>"


@dataclass
class Corpus:
    messages: list[GeneratedMessage]
    mailboxes: tuple[str, ...]

    def count(self, kind: str) -> int:
        """How many messages are of `kind` (see KINDS; "charset:koi8-r" for one charset)."""
        return sum(kind in m.kinds for m in self.messages)

    def kinds(self) -> Counter[str]:
        return Counter(kind for m in self.messages for kind in m.kinds)

    def copies(self, mailbox: str) -> int:
        return sum(d.mailbox == mailbox for m in self.messages for d in m.deliveries)

    def load_into(self, fake: GoogleFake) -> dict[str, list[str]]:
        """Add every copy to its mailbox; returns the Gmail ids per mailbox, in order."""
        threads: dict[tuple[str, str], str] = {}
        ids: dict[str, list[str]] = {mailbox: [] for mailbox in self.mailboxes}
        for mailbox in self.mailboxes:
            fake.add_user(mailbox)
        for message in self.messages:
            for delivery in message.deliveries:
                stored = fake.add_message(
                    delivery.mailbox,
                    message.raw,
                    label_ids=delivery.label_ids,
                    thread_id=threads.get((delivery.mailbox, message.thread_key)),
                    internal_date=message.internal_date,
                )
                threads.setdefault((delivery.mailbox, message.thread_key), stored.thread_id)
                ids[delivery.mailbox].append(stored.id)
        return ids


@dataclass(frozen=True)
class _Person:
    name: str
    address: str

    def header(self, charset: str = "utf-8") -> str:
        try:
            return formataddr((self.name, self.address), charset)
        except UnicodeEncodeError:
            return formataddr((self.name, self.address), "utf-8")


def _text_part(text: str, subtype: str, charset: str) -> Message:
    """A text part in `charset` exactly (email.mime would turn shift_jis into iso-2022-jp)."""
    part = Message()
    part["Content-Type"] = f'text/{subtype}; charset="{charset}"'
    data = text.encode(charset, errors="replace")  # as a mail client writing a legacy charset
    if charset in ("us-ascii",):
        part["Content-Transfer-Encoding"] = "7bit"
        part.set_payload(data.decode("ascii"))
    elif charset in ("iso-8859-1", "windows-1252"):
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        part["Content-Transfer-Encoding"] = "base64"
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    return part


def _attachment(data: bytes, filename: str, maintype: str, subtype: str) -> MIMEBase:
    part = MIMEBase(maintype, subtype, name=filename)
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    part["Content-Transfer-Encoding"] = "base64"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (
        "<html><head><style>p { margin: 0 }</style></head>"
        f'<body><div dir="ltr">{paragraphs}</div></body></html>'
    )


class _Writer:
    def __init__(
        self,
        *,
        seed: int,
        mailboxes: Sequence[str],
        start: datetime,
        big_attachment_bytes: int,
        big_attachment_rate: float,
    ) -> None:
        self.rnd = random.Random(seed)
        self.team = [
            _Person(address.split("@")[0].title() + " Partner", address) for address in mailboxes
        ]
        self.contacts = [self._contact() for _ in range(40)]
        self.clock = start
        self.big_attachment_bytes = big_attachment_bytes
        self.big_attachment_rate = big_attachment_rate
        self.serial = 0

    def _contact(self) -> _Person:
        first, last = self.rnd.choice(FIRST_NAMES), self.rnd.choice(LAST_NAMES)
        if self.rnd.random() < 0.2:
            domain = self.rnd.choice(FREE_MAIL)
        else:
            domain = f"{self.rnd.choice(COMPANIES)}-capital.example"
        local = f"{first}.{last}".translate(_ASCII).lower()
        return _Person(f"{first} {last}", f"{local}@{domain}")

    def _message_id(self, sender: _Person) -> str:
        self.serial += 1
        return f"<{self.rnd.getrandbits(64):016x}.{self.serial}@{sender.address.split('@')[1]}>"

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=self.rnd.randint(3, 600), seconds=self.rnd.randint(0, 59))
        return self.clock

    def _body(self, kinds: set[str], text: str, charset: str) -> Message:
        roll = self.rnd.random()
        if roll < 0.12:
            kinds.add("html_only")
            return _text_part(_html(text), "html", charset)
        if roll < 0.40:
            kinds.add("alternative")
            alternative = MIMEMultipart("alternative")
            alternative.attach(_text_part(text, "plain", charset))
            alternative.attach(_text_part(_html(text), "html", charset))
            return alternative
        return _text_part(text, "plain", charset)

    def _inline_image(self, kinds: set[str], text: str) -> Message:
        kinds.add("inline_image")
        cid = f"img{self.rnd.getrandbits(32):08x}@fund.example"
        related = MIMEMultipart("related")
        alternative = MIMEMultipart("alternative")
        alternative.attach(_text_part(text, "plain", "utf-8"))
        alternative.attach(
            _text_part(
                _html(text).replace("</div>", f'<img src="cid:{cid}"></div>'), "html", "utf-8"
            )
        )
        related.attach(alternative)
        image = MIMEBase("image", "png", name="logo.png")
        image.set_payload(
            base64.encodebytes(b"\x89PNG\r\n\x1a\n" + self.rnd.randbytes(2000)).decode("ascii")
        )
        image["Content-Transfer-Encoding"] = "base64"
        image["Content-ID"] = f"<{cid}>"
        image.add_header("Content-Disposition", "inline", filename="logo.png")
        related.attach(image)
        return related

    def _enclosed(self) -> Message:
        """An outside message, forwarded as an attachment."""
        sender = self.rnd.choice(self.contacts)
        inner = _text_part(
            f"Please find the notice for {self.rnd.choice(TOPICS)}.", "plain", "utf-8"
        )
        inner["From"] = sender.header()
        inner["To"] = self.rnd.choice(self.contacts).header()
        inner["Subject"] = self.rnd.choice(TOPICS)
        inner["Date"] = format_datetime(self.clock - timedelta(days=3))
        inner["Message-ID"] = self._message_id(sender)
        return inner

    def message(
        self,
        *,
        sender: _Person,
        recipients: list[_Person],
        subject: str,
        text: str,
        parent: tuple[str, list[str]] | None,
    ) -> tuple[bytes, str | None, set[str], datetime]:
        kinds: set[str] = set()
        charset = "us-ascii"
        if self.rnd.random() < 0.10:
            charset = self.rnd.choice(list(CHARSET_TEXTS))
            kinds |= {"charset", f"charset:{charset}"}
            subject, text = CHARSET_TEXTS[charset][0], CHARSET_TEXTS[charset][1] + "\n\n" + text
        body: Message
        roll = self.rnd.random()
        if roll < 0.03:
            kinds.add("forward_inline")
            original = self.rnd.choice(self.contacts)
            sent = format_datetime(self.clock - timedelta(days=2))
            text = (
                "FYI, see below.\n\n---------- Forwarded message ---------\n"
                f"From: {original.name} <{original.address}>\nDate: {sent}\n"
                f"Subject: {self.rnd.choice(TOPICS)}\nTo: {sender.name} <{sender.address}>\n\n"
                f"{text}\n"
            )
            subject = f"Fwd: {subject}"
            body = self._body(kinds, text, "utf-8" if charset == "us-ascii" else charset)
        elif roll < 0.06:
            kinds.add("forward_attached")
            subject = f"Fwd: {subject}"
            body = MIMEMultipart("mixed")
            body.attach(_text_part("Forwarding this one.\n" + text, "plain", "utf-8"))
            body.attach(MIMEMessage(self._enclosed()))
        elif roll < 0.10:
            body = self._inline_image(kinds, text)
        else:
            body = self._body(
                kinds, text, "utf-8" if charset == "us-ascii" and not text.isascii() else charset
            )
        if self.rnd.random() < 0.10:
            kinds.add("attachment")
            size = self.rnd.randint(2_000, 60_000)
            if self.rnd.random() < self.big_attachment_rate:
                kinds.add("big_attachment")
                size = self.big_attachment_bytes
            mixed = MIMEMultipart("mixed")
            mixed.attach(body)
            name, maintype, subtype = self.rnd.choice(
                [
                    ("report.pdf", "application", "pdf"),
                    (
                        "model.xlsx",
                        "application",
                        "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                    (
                        "notes.docx",
                        "application",
                        "vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ),
                ]
            )
            mixed.attach(_attachment(self.rnd.randbytes(size), name, maintype, subtype))
            body = mixed
        header_charset = "utf-8" if charset in ("us-ascii",) else charset
        body["From"] = sender.header(header_charset)
        body["To"] = ", ".join(p.header(header_charset) for p in recipients[:1])
        if len(recipients) > 1:
            body["Cc"] = ", ".join(p.header(header_charset) for p in recipients[1:])
        body["Subject"] = subject if subject.isascii() else Header(subject, header_charset).encode()
        when = self._tick()
        body["Date"] = format_datetime(when)
        message_id: str | None = None
        if self.rnd.random() < 0.01:
            kinds.add("no_message_id")
        else:
            message_id = self._message_id(sender)
            body["Message-ID"] = message_id
        if parent is not None:
            kinds.add("reply")
            body["In-Reply-To"] = parent[0]
            body["References"] = " ".join([*parent[1], parent[0]])
        if "MIME-Version" not in body:
            body["MIME-Version"] = "1.0"
        for part in body.walk():
            # The email package draws boundaries from the global random; these follow the seed.
            if part.get_content_maintype() == "multipart":
                part.set_boundary(f"==={self.rnd.getrandbits(64):016x}==")
        raw = body.as_bytes()
        if self.rnd.random() < 0.01:
            kinds.add("malformed")
            raw = self._break(raw, body)
        return raw, message_id, kinds, when

    def _break(self, raw: bytes, message: Message) -> bytes:
        """Malformed MIME as found in the wild; Gmail takes it, so must a parser."""
        boundary = message.get_boundary()
        choice = self.rnd.randrange(4)
        if choice == 0 and boundary:
            return raw.replace(f"--{boundary}--".encode(), b"")  # no closing boundary
        if choice == 1 and boundary:
            return raw.replace(f"--{boundary}".encode(), b"--not-the-boundary")  # boundary lost
        if choice == 2:
            # A header line without a colon, an encoded word that is not base64, raw 8-bit bytes.
            head, sep, rest = raw.partition(b"\n")
            return (
                head + sep + b"X-Broken header line\n" + b"X-Bad: =?utf-8?B?***?= caf\xe9\n" + rest
            )
        return raw.replace(b'charset="', b'charset="x-unknown-', 1)  # an unknown charset


def _reply_text(previous_text: str, previous_sender: _Person, when: datetime, text: str) -> str:
    quoted = "\n".join(f"> {line}" for line in previous_text.splitlines())
    header = (
        f"On {format_datetime(when)}, {previous_sender.name} <{previous_sender.address}> wrote:"
    )
    return f"{text}\n\n{header}\n{quoted}\n"


def generate_corpus(
    count: int,
    *,
    seed: int = 0,
    mailboxes: Sequence[str] = TEAM,
    start: datetime = datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
    big_attachment_bytes: int = 3 * 1024 * 1024,
    big_attachment_rate: float = 0.02,
) -> Corpus:
    """`count` messages in conversations among `mailboxes` (a team of three or more) and outside
    contacts; `big_attachment_rate` of the attachments are `big_attachment_bytes` long."""
    if len(mailboxes) < 3:
        raise ValueError("a corpus needs three mailboxes, for messages that reach all three")
    writer = _Writer(
        seed=seed,
        mailboxes=mailboxes,
        start=start,
        big_attachment_bytes=big_attachment_bytes,
        big_attachment_rate=big_attachment_rate,
    )
    rnd = writer.rnd
    messages: list[GeneratedMessage] = []
    conversation = 0
    while len(messages) < count:
        conversation += 1
        thread_key = f"conversation-{conversation}"
        subject = rnd.choice(TOPICS)
        outsider = rnd.choice(writer.contacts)
        owner = rnd.choice(writer.team)
        shared = rnd.random() < 0.08  # the whole team is on it: each message in three mailboxes
        team_side = list(writer.team) if shared else [owner]
        parent: tuple[str, list[str]] | None = None
        previous: tuple[str, _Person, datetime] | None = None
        references: list[str] = []
        for turn in range(min(rnd.randint(1, 6), count - len(messages))):
            from_team = (turn % 2 == 1) if rnd.random() < 0.6 else (turn % 2 == 0)
            sender = team_side[0] if from_team else outsider
            recipients = [outsider] + team_side[1:] if from_team else list(team_side)
            text = (
                f"Hello,\n\nFollowing up on {subject.lower()} (note {rnd.randint(100, 999)}).\n"
                f"Best regards,\n{sender.name}"
            )
            if previous is not None:
                text = _reply_text(previous[0], previous[1], previous[2], text)
            raw, message_id, kinds, when = writer.message(
                sender=sender,
                recipients=recipients,
                subject=subject if turn == 0 else f"Re: {subject}",
                text=text,
                parent=parent,
            )
            deliveries = []
            for member in writer.team:
                if member == sender:
                    deliveries.append(Delivery(member.address, ("SENT",)))
                elif member in recipients:
                    unread = ("UNREAD",) if rnd.random() < 0.3 else ()
                    deliveries.append(Delivery(member.address, ("INBOX", *unread)))
            if len(deliveries) >= 3:
                kinds.add("three_mailboxes")
            messages.append(
                GeneratedMessage(
                    raw=raw,
                    internal_date=when,
                    message_id=message_id,
                    thread_key=thread_key,
                    deliveries=tuple(deliveries),
                    kinds=frozenset(kinds),
                )
            )
            if message_id is not None:
                parent = (message_id, references[-10:])
                references.append(message_id)
            previous = (text, sender, when)
    return Corpus(messages=messages, mailboxes=tuple(mailboxes))
