"""What Gmail derives from a message's raw RFC 822 bytes: the `full` payload tree, the snippet, the
attachments fetched by id, and the header and body text its search (`q`) looks at.

Parsing uses the standard library's `email` package with the `compat32` policy, which never raises
on malformed MIME (a missing boundary, bad base64, an unknown charset) and leaves the structure as
found, as Gmail does. A message is parsed once; `ParsedMessage` is immutable.
"""

from __future__ import annotations

import base64
import email
import email.errors
import email.header
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from typing import Any

SNIPPET_LENGTH = 200


def b64url(data: bytes) -> str:
    """Gmail's encoding of `raw` and of body data: URL-safe base64, padded."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def decode_header(value: str) -> str:
    """An RFC 2047 header decoded to text, or the value as found when it cannot be."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return value


def _text_of(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("latin-1")


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def text_of_html(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return " ".join(parser.chunks)


@dataclass(frozen=True)
class ParsedMessage:
    """One message as Gmail's API shows it, derived from its raw bytes."""

    payload: dict[str, Any]
    snippet: str
    attachments: dict[str, bytes] = field(repr=False)
    headers: dict[str, str]  # lower-cased name -> decoded value (first occurrence)
    body_text: str = field(repr=False)
    has_attachment: bool = False


class _Builder:
    def __init__(self, message_id: str, inline_limit: int) -> None:
        self.message_id = message_id
        self.inline_limit = inline_limit
        self.attachments: dict[str, bytes] = {}
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.has_attachment = False

    def attachment_id(self, part_id: str) -> str:
        digest = hashlib.sha256(f"{self.message_id}/{part_id}".encode()).digest()
        return "ANGjdJ" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def body(self, data: bytes, part_id: str, *, is_attachment: bool) -> dict[str, Any]:
        if is_attachment or len(data) > self.inline_limit:
            attachment_id = self.attachment_id(part_id)
            self.attachments[attachment_id] = data
            return {"attachmentId": attachment_id, "size": len(data)}
        return {"size": len(data), "data": b64url(data)} if data else {"size": 0}

    def part(self, part: Message, part_id: str) -> dict[str, Any]:
        headers = [
            {"name": name, "value": decode_header(str(value))} for name, value in part.items()
        ]
        try:
            filename = part.get_filename() or ""
        except (LookupError, UnicodeError, ValueError):
            filename = ""
        filename = decode_header(filename)
        mime_type = part.get_content_type()
        node: dict[str, Any] = {
            "partId": part_id,
            "mimeType": mime_type,
            "filename": filename,
            "headers": headers,
        }
        prefix = f"{part_id}." if part_id else ""
        children = part.get_payload()
        if (
            mime_type == "message/rfc822"
            and isinstance(children, list)
            and children
            and isinstance(enclosed := children[0], Message)
        ):
            node["body"] = self.body(enclosed.as_bytes(), part_id, is_attachment=True)
            self.has_attachment = True
            node["parts"] = [self.part(enclosed, f"{prefix}0")]
        elif part.is_multipart() and isinstance(children, list):
            node["body"] = {"size": 0}
            node["parts"] = [
                self.part(child, f"{prefix}{i}")
                for i, child in enumerate(children)
                if isinstance(child, Message)
            ]
        else:
            data = part.get_payload(decode=True)
            data = data if isinstance(data, bytes) else b""
            is_attachment = bool(filename)
            self.has_attachment = self.has_attachment or is_attachment
            node["body"] = self.body(data, part_id, is_attachment=is_attachment)
            if not is_attachment and mime_type == "text/plain":
                self.texts.append(_text_of(part))
            elif not is_attachment and mime_type == "text/html":
                self.htmls.append(_text_of(part))
        return node


def parse(raw: bytes, *, message_id: str, inline_limit: int) -> ParsedMessage:
    """The payload tree and derived fields of `raw`; body parts with a filename, or larger than
    `inline_limit` bytes, are answered by attachmentId (as Gmail does) instead of inline data."""
    message = email.message_from_bytes(raw)
    builder = _Builder(message_id, inline_limit)
    payload = builder.part(message, "")
    text = " ".join(builder.texts) or " ".join(text_of_html(h) for h in builder.htmls)
    snippet = html.escape(re.sub(r"\s+", " ", text).strip()[:SNIPPET_LENGTH])
    headers: dict[str, str] = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), decode_header(str(value)))
    return ParsedMessage(
        payload=payload,
        snippet=snippet,
        attachments=builder.attachments,
        headers=headers,
        body_text=text,
        has_attachment=builder.has_attachment,
    )


def metadata_payload(parsed: ParsedMessage, names: list[str]) -> dict[str, Any]:
    """The payload of format=metadata: the top part's headers, only `names` when given."""
    wanted = {name.lower() for name in names}
    headers = [h for h in parsed.payload["headers"] if not wanted or h["name"].lower() in wanted]
    return {
        "partId": "",
        "mimeType": parsed.payload["mimeType"],
        "filename": "",
        "headers": headers,
        "body": {"size": 0},
    }
