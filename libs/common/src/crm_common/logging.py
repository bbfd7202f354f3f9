"""Structured JSON logs with request and event ids, that never carry secrets.

`configure_logging` installs one JSON handler on the root logger. Two context variables,
`request_id` and `event_id`, are added to every record while set. A filter masks secrets: any
`extra` field whose name looks like a secret, and bearer tokens, API keys and passwords in
messages.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id: ContextVar[str | None] = ContextVar("event_id", default=None)

MASK = "[redacted]"
_SECRET_NAMES = re.compile(
    r"pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key",
    re.IGNORECASE,
)
_SECRET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # "Bearer abc.def", "Basic dXNlcjpwYXNz"
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    # key=value / key: value pairs whose key names a secret
    (
        re.compile(
            r"(?i)\b((?:pass(?:word|wd)?|secret|token|api[_-]?key|x-api-key|authorization)"
            r"[\"']?\s*[:=]\s*)[\"']?[^\s\"',;}]+"
        ),
        rf"\1{MASK}",
    ),
    # our API keys carry a recognisable prefix; JWTs are three base64url parts starting "eyJ"
    (re.compile(r"\blpcrm_[A-Za-z0-9_-]{8,}"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), MASK),
]

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(name: str, value: Any) -> Any:
    if _SECRET_NAMES.search(name):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


class SecretFilter(logging.Filter):
    """Masks secrets in the message, its arguments and any `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        # uvicorn adds an ANSI-coloured copy of each message; JSON logs don't need it.
        record.__dict__.pop("color_message", None)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS:
                setattr(record, name, _redact_value(name, value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        rid = request_id.get()
        if rid is not None:
            record.request_id = rid
        eid = event_id.get()
        if eid is not None:
            record.event_id = eid
        return True


def configure_logging(service: str, level: str = "INFO", *, stream: Any = None) -> None:
    """Send every log record to `stream` (stdout) as one JSON object per line."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    )
    handler.addFilter(ContextFilter(service))
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
