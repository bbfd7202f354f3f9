"""Plain text from HTML, and the searchable part of a body.

HTML → text is inscriptis (Apache-2.0, on lxml): it lays out paragraphs, lists and tables as
text, drops `<script>`, `<style>`, `<head>` and `display:none` elements, and never runs or fetches
anything.

The searchable text is what the message itself adds:
- Quoted history goes. In HTML, the containers mail clients wrap it in are removed before the
  conversion (Gmail's `gmail_quote`, Apple Mail's `blockquote type=cite`, Outlook's
  `divRplyFwdMsg` / `appendonsend` and all after it, Thunderbird's `moz-cite-prefix`, Yahoo's
  `yahoo_quoted`). In text, mail-parser-reply (MIT, alfonsrv/mail-parser-reply) cuts at the first
  reply header of its languages ("On … wrote:", "Le … a écrit :", "Am … schrieb …:", Outlook's
  "-----Original Message-----" and "From: … Sent: …" blocks; en de fr it nl sv da pl cs ja ko
  zh), or at Spanish and Portuguese "El/Em … escribió/escreveu:", and every remaining line that
  starts with ">" is dropped.
- Signatures go: always from a "-- " delimiter or a "Sent from my …" / "Get Outlook for …" line;
  from a sign-off ("Best regards,", "Thanks,", "Mit freundlichen Grüßen") only where that is safe:
  the sign-off stands on its own line (at most four words) and at most eight lines follow it.
  "Thanks, that works for us" in the middle of a reply is text, not a signature.
- Only the first 64 KiB of a body are searched for these markers (the reply parser's regular
  expressions grow with the text; a human reply is far shorter).

The full body is always kept beside it (`ParsedMessage.body_text`).
"""

from __future__ import annotations

import re

from inscriptis import Inscriptis
from inscriptis.model.config import ParserConfig
from lxml import etree
from lxml.html import HtmlElement, document_fromstring
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage as ReplyMessage

SEARCH_LIMIT = 64 * 1024
# mail-parser-reply's language table also holds a test entry ("david"); keep the ISO codes.
_LANGUAGES = tuple(code for code in MAIL_LANGUAGES if len(code) == 2)
_QUOTE_XPATH = " | ".join(
    [
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote_container ')]",
        "//blockquote[@type='cite']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' moz-cite-prefix ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' yahoo_quoted ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_signature ')]",
    ]
)
# Outlook puts the quoted message after these markers, as their following siblings.
_OUTLOOK_MARKERS = "//*[@id='divRplyFwdMsg' or @id='appendonsend']"
_CONFIG = ParserConfig(display_links=False, display_images=False)
_DELIMITER = re.compile(r"^(?:[-_]{2}|[-_]{32,})")
_SENT_FROM = re.compile(r"^(?:sent from|get outlook for|gesendet von|envoyé de)", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# Reply headers mail-parser-reply 1.36 misses: its Spanish pattern wants two spaces before
# "escribió", and it has no Portuguese. Cut here first.
_MORE_HEADERS = re.compile(
    r"^(?:> ?)*(?:El|Em)\s.+?\s(?:escribió|escreveu)\s?:[ \t]*$", re.MULTILINE | re.IGNORECASE
)
# What lxml refuses in text: C0 controls but tab and line breaks, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def html_to_text(html: str) -> str:
    """The text of an HTML body, laid out; "" for an empty or unparsable document."""
    tree = _tree(html)
    return _text(tree) if tree is not None else ""


def html_to_searchable_text(html: str) -> str:
    """The text of an HTML body without the quoted history that mail clients mark up."""
    tree = _tree(html)
    if tree is None:
        return ""
    for marker in tree.xpath(_OUTLOOK_MARKERS):
        for following in list(marker.itersiblings()):
            following.drop_tree()
        marker.drop_tree()
    for quote in tree.xpath(_QUOTE_XPATH):
        quote.drop_tree()
    return searchable_text(_text(tree))


def searchable_text(text: str) -> str:
    """A plain body without quoted replies and signatures (see the module's rules)."""
    text = text[:SEARCH_LIMIT]
    if (header := _MORE_HEADERS.search(text)) is not None:
        text = text[: header.start()]
    message = ReplyMessage(text=text, languages=list(_LANGUAGES), keep_hyphen_lists=True).read()
    if not message.replies:
        return ""
    body = _without_signature(message.replies[0].content, message.SIGNATURE_REGEX)
    lines = [line for line in body.splitlines() if not line.lstrip().startswith(">")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _without_signature(body: str, signature: re.Pattern[str]) -> str:
    position = 0
    while (found := signature.search(body, position)) is not None:
        start = found.start() + len(found.group()) - len(found.group().lstrip())
        if _is_signature(found.group().strip()):
            return body[:start]
        next_line = body.find("\n", start)
        if next_line < 0:
            break
        position = next_line + 1
    return body


def _is_signature(cut: str) -> bool:
    lines = [line.lstrip("> ").strip() for line in cut.splitlines() if line.strip()]
    if not lines:
        return False
    first = lines[0]
    if _DELIMITER.match(first):
        return True
    if _SENT_FROM.match(first):
        return len(lines) <= 3
    return len(first.split()) <= 4 and len(lines) <= 9


def _tree(html: str) -> HtmlElement | None:
    html = _NOT_XML.sub("", html).strip()
    if not html:
        return None
    try:
        tree: HtmlElement = document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    return tree


def _text(tree: HtmlElement) -> str:
    text = str(Inscriptis(tree, _CONFIG).get_text())
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
