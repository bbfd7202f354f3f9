"""Bytes to text when the charset label can't be trusted.

The rules, in order:
1. A label Python knows is used, widened the way browsers widen it (WHATWG Encoding Standard):
   `us-ascii` and `iso-8859-1` are decoded as `windows-1252`, `shift_jis` as `cp932`, `gb2312` as
   `gb18030`, `ks_c_5601-1987` / `euc-kr` as `cp949`: mailers write the narrow name and send the
   wide repertoire (curly quotes, the euro sign, NEC and IBM kanji).
2. A body labelled ASCII (or not labelled at all) that decodes as strict UTF-8 is UTF-8: 8-bit
   text with a missing or stale label is usually UTF-8.
3. An unknown label (`x-unknown`, `utf8mb4`, a typo): strict UTF-8, then charset-normalizer's
   best guess, then `windows-1252`.
4. Whatever remains undecodable becomes U+FFFD. Nothing here raises.

Each function returns the text and, when the label was not used as written, a defect string.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# WHATWG's label → encoding table, for the labels mail uses, mapped to Python's codec names.
_WIDER = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
}
# Labels under which a body that is valid UTF-8 is taken to be UTF-8 (rule 2).
_OFTEN_WRONG = {None, "ascii", "iso8859-1", "cp1252"}


def codec_for(label: str | None) -> str | None:
    """Python's codec name for a MIME charset label, widened as above; None when unknown."""
    name = _python_name(label)
    return None if name is None else _WIDER.get(name, name)


def _python_name(label: str | None) -> str | None:
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    if cleaned.startswith("ks_c_5601"):
        return "ks_c_5601-1987"
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def decode_text(data: bytes, label: str | None) -> tuple[str, str | None]:
    """Decode a body part's bytes under its charset label (see the module's rules).

    Returns the text and a defect string, or None when the label served as written.
    """
    if data.isascii():
        return data.decode("ascii"), None
    codec = codec_for(label)
    if codec is None or _python_name(label) in _OFTEN_WRONG:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return text, _relabelled(label, "utf-8")
    if codec is None:
        return _guess(data, label)
    try:
        return data.decode(codec), None
    except UnicodeDecodeError:
        return (
            data.decode(codec, errors="replace"),
            f"bytes that are not {label} replaced by U+FFFD",
        )


def _guess(data: bytes, label: str | None) -> tuple[str, str | None]:
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), _relabelled(label, best.encoding)
    return data.decode("cp1252", errors="replace"), _relabelled(label, "windows-1252")


def _relabelled(label: str | None, used: str) -> str | None:
    if not label:
        return None
    return f"charset {label!r} did not fit the text; decoded as {used}"


def repair_8bit(value: str) -> str:
    """Raw 8-bit bytes in a header (RFC 6532 UTF-8, or a legacy charset sent unencoded) reach
    Python as surrogate escapes; decode them as UTF-8, else windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
