"""`parse`: raw RFC 5322 bytes (Gmail's `format=raw`) to a `ParsedMessage`.

The standard library's `email` package reads the MIME tree (`policy.default`); this module
decides what each leaf is:
- a body: `text/plain` or `text/html` that is not an attachment (no `attachment` disposition, no
  file name). Every such part counts, in order (Apple Mail splits one body around inline files);
  `multipart/alternative` gives both kinds. Plain text wins; HTML alone is converted.
- an inline image, ignored: an `image/*` part with a Content-ID that is not an `attachment`, or
  whose Content-ID the HTML references as `cid:`.
- a forwarded message: a `message/rfc822` (or `message/global`) part, parsed as a message of its
  own (to a depth of 5); its files count among the outer message's attachments.
- an attachment: everything else. The file name is decoded (RFC 2231, and the RFC 2047 words
  Outlook and Gmail write there) and stripped of any path. Only parts within
  `max_attachment_bytes` keep their bytes; a larger base64 part is hashed from its encoded text
  in 1 MiB slices, so its decoded bytes are never held whole.

Malformed input never raises. The `defects` name every problem met, with the part's position
(`1.2` is the second child of the first child): the standard library's defects, a multipart
without a boundary (re-read with the first `--boundary` line of its body when there is one),
bad base64, a charset label that did not fit.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.feedparser import BytesFeedParser
from email.message import Message

from gmail_sync.messages import headers
from gmail_sync.messages.bodies import html_to_searchable_text, html_to_text, searchable_text
from gmail_sync.messages.charsets import decode_text, repair_8bit
from gmail_sync.messages.forwards import inline_forwards
from gmail_sync.messages.schemas import Attachment, Forwarded, ParsedMessage

MAX_DEPTH = 5
MAX_PARTS_DEPTH = 40
_SLICE = 1024 * 1024
_FEED = 64 * 1024
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
# RFC 2046's boundary characters (a space only inside).
_BOUNDARY_LINE = re.compile(r"^--([0-9A-Za-z'()+_,./:=?][0-9A-Za-z'()+_,./:=? -]{0,68}?)\s*$", re.M)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse(raw: bytes, *, max_attachment_bytes: int) -> ParsedMessage:
    """Parse one message; see the module's rules. Never raises on malformed input."""
    return _parse(_read(raw), max_attachment_bytes=max_attachment_bytes, depth=0)


def _read(raw: bytes) -> Message:
    # Fed in slices: `BytesParser.parsebytes` reads through a StringIO, which holds the whole
    # message as UCS-4 (4 bytes a character): 7.7x the raw size at its peak for a 30 MB file,
    # against 2.7x this way.
    parser = BytesFeedParser(policy=policy.default)
    for start in range(0, len(raw), _FEED):
        parser.feed(raw[start : start + _FEED])
    return parser.close()


@dataclass
class _Walk:
    limit: int
    depth: int
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[tuple[str, Message]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[Forwarded] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _parse(msg: Message, *, max_attachment_bytes: int, depth: int) -> ParsedMessage:
    walk = _Walk(limit=max_attachment_bytes, depth=depth)
    subject = headers.text(msg, "Subject", walk.defects)
    sent_at = headers.sent_at(msg, walk.defects)
    _visit(msg, "", walk, levels=0)
    html = "\n".join(walk.html) if walk.html else None
    referenced = {cid.lower() for cid in _CID.findall(html or "")}
    for position, part in walk.files:
        if not _is_inline_image(part, referenced):
            walk.attachments.append(_attachment(part, position, walk))
    if walk.plain:
        body = "\n\n".join(walk.plain).strip()
        searchable = searchable_text(body)
    else:
        body = html_to_text(html) if html else ""
        searchable = html_to_searchable_text(html) if html else ""
    walk.forwarded.extend(inline_forwards(body, subject=subject, sent_at=sent_at))
    in_reply_to = headers.all_message_ids(msg, "In-Reply-To")
    return ParsedMessage(
        message_id=headers.first_message_id(msg, "Message-ID"),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=headers.all_message_ids(msg, "References"),
        subject=subject,
        sent_at=sent_at,
        sender=headers.addresses(msg, "From", walk.defects),
        to=headers.addresses(msg, "To", walk.defects),
        cc=headers.addresses(msg, "Cc", walk.defects),
        bcc=headers.addresses(msg, "Bcc", walk.defects),
        reply_to=headers.addresses(msg, "Reply-To", walk.defects),
        delivered_to=headers.addresses(msg, "Delivered-To", walk.defects),
        body_text=body,
        body_html=html,
        searchable_text=searchable,
        attachments=tuple(walk.attachments),
        forwarded=tuple(walk.forwarded),
        defects=tuple(dict.fromkeys(walk.defects)),
    )


def _visit(
    part: Message, position: str, walk: _Walk, *, levels: int, may_repair: bool = True
) -> None:
    where = position or "message"
    walk.defects.extend(f"{where}: {type(defect).__name__}" for defect in part.defects)
    content_type = part.get_content_type()
    if content_type in ("message/rfc822", "message/global") and part.is_multipart():
        _forwarded_part(part, position, walk)
        return
    if part.is_multipart():
        if levels >= MAX_PARTS_DEPTH:
            walk.defects.append(f"{where}: parts nested deeper than {MAX_PARTS_DEPTH} skipped")
            return
        children = part.get_payload()
        for index, child in enumerate(children if isinstance(children, list) else [], start=1):
            _visit(
                child, f"{position}.{index}" if position else str(index), walk, levels=levels + 1
            )
        return
    if part.get_content_maintype() == "multipart" and may_repair:
        repaired = _repair_boundary(part, where, walk)
        if repaired is not None:
            _visit(repaired, position, walk, levels=levels + 1, may_repair=False)
            return
    if part.get_content_maintype() == "multipart":
        content_type = "text/plain"
    disposition = part.get_content_disposition()
    if (
        content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not part.get_param("filename", header="content-disposition")
        and not part.get_param("name")
    ):
        text = _decoded_text(part, where, walk)
        (walk.plain if content_type == "text/plain" else walk.html).append(text)
        return
    walk.files.append((where, part))


def _forwarded_part(part: Message, position: str, walk: _Walk) -> None:
    inner = part.get_payload(0)
    if not isinstance(inner, Message):
        return
    if walk.depth >= MAX_DEPTH:
        walk.defects.append(f"{position}: messages nested deeper than {MAX_DEPTH} skipped")
        return
    original = _parse(inner, max_attachment_bytes=walk.limit, depth=walk.depth + 1)
    walk.forwarded.append(
        Forwarded(
            sender=original.sender[0] if original.sender else None,
            to=original.to,
            cc=original.cc,
            sent_at=original.sent_at,
            subject=original.subject or None,
            message_id=original.message_id,
            text=original.body_text,
            is_attached=True,
        )
    )
    walk.forwarded.extend(original.forwarded)
    walk.attachments.extend(original.attachments)
    walk.defects.extend(f"{position}/{defect}" for defect in original.defects)


def _repair_boundary(part: Message, where: str, walk: _Walk) -> Message | None:
    """A multipart whose boundary parameter is missing or matches no line: re-read its body with
    the first `--token` line as the boundary."""
    payload: object = getattr(part, "_payload", None)
    if not isinstance(payload, str):
        return None
    found = _BOUNDARY_LINE.search(payload)
    if found is None:
        walk.defects.append(f"{where}: multipart without a usable boundary read as text")
        return None
    boundary = found.group(1).removesuffix("--")
    walk.defects.append(f"{where}: multipart boundary missing; read with {boundary!r}")
    subtype = part.get_content_subtype()
    subtype = subtype if re.fullmatch(r"[a-z0-9.+-]+", subtype) else "mixed"
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'
    return _read(head.encode() + payload.encode("utf-8", errors="surrogateescape"))


def _decoded_text(part: Message, where: str, walk: _Walk) -> str:
    data = _payload_bytes(part, where, walk)
    text, defect = decode_text(data, part.get_content_charset())
    if defect:
        walk.defects.append(f"{where}: {defect}")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _payload_bytes(part: Message, where: str, walk: _Walk) -> bytes:
    data = part.get_payload(decode=True)
    walk.defects.extend(f"{where}: {type(defect).__name__}" for defect in part.defects)
    return data if isinstance(data, bytes) else b""


def _is_inline_image(part: Message, referenced: set[str]) -> bool:
    if part.get_content_maintype() != "image":
        return False
    content_id = (part.get("Content-ID") or "").strip().strip("<>").lower()
    if not content_id:
        return False
    return part.get_content_disposition() != "attachment" or content_id in referenced


def _attachment(part: Message, where: str, walk: _Walk) -> Attachment:
    filename = _filename(part)
    content_type = part.get_content_type()
    # The encoded text as held: `get_payload()` would copy it whole to check it for surrogates.
    encoded: object = getattr(part, "_payload", None)
    is_base64 = part.get("Content-Transfer-Encoding", "").strip().lower() == "base64"
    if is_base64 and isinstance(encoded, str) and len(encoded) * 3 // 4 > walk.limit:
        size, digest = _hash_base64(encoded)
        if size > walk.limit:
            return Attachment(filename, content_type, size, digest, None, is_too_large=True)
    data = _payload_bytes(part, where, walk)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > walk.limit:
        return Attachment(filename, content_type, len(data), digest, None, is_too_large=True)
    return Attachment(filename, content_type, len(data), digest, data)


def _hash_base64(encoded: str) -> tuple[int, str]:
    """The decoded size and SHA-256 of base64 text, decoded a slice at a time; characters outside
    the alphabet are skipped, as the standard library's lenient decoder does."""
    digest = hashlib.sha256()
    size = 0
    carry = b""
    for start in range(0, len(encoded), _SLICE):
        chunk = carry + _NOT_BASE64.sub(
            b"", encoded[start : start + _SLICE].encode("ascii", "ignore")
        )
        whole = len(chunk) - len(chunk) % 4
        decoded = binascii.a2b_base64(chunk[:whole])
        digest.update(decoded)
        size += len(decoded)
        carry = chunk[whole:]
    if len(carry) > 1:
        decoded = binascii.a2b_base64(carry + b"=" * (4 - len(carry)))
        digest.update(decoded)
        size += len(decoded)
    return size, digest.hexdigest()


def _filename(part: Message) -> str | None:
    raw = part.get_filename()
    if not raw:
        return None
    name = repair_8bit(str(raw))
    if "=?" in name:
        decoded = headers.decode("Content-Description", name, [])
        name = str(decoded) if decoded is not None else name
    name = _CONTROL.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None
