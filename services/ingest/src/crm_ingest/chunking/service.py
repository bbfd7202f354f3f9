"""From a record's prose fields to its chunks: redact each field, join them into one document,
split it within the model's token limit, and give each chunk its point id and content hash."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from crm_common.contracts.search import RedactionMarker
from crm_common.redaction.fields import markers_in, redact_fields
from crm_ingest.chunking.splitter import TokenCounter, split_text
from crm_ingest.embeddings.base import Embedder
from crm_ingest.settings import Settings
from crm_ingest.sources.base import TextField

# Point ids are UUIDv5 in this namespace of "<source kind>:<source id>:<chunk number>", so the
# same chunk always lands on the same point, whichever replica or replay writes it.
POINT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lp-crm:ingest:crm_chunks")


def point_id(source_kind: str, source_id: str, chunk_no: int) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source_kind}:{source_id}:{chunk_no}"))


@dataclass(frozen=True)
class ChunkDraft:
    chunk_no: int
    text: str
    redactions: tuple[RedactionMarker, ...]

    @property
    def content_hash(self) -> str:
        # The markers are in it: a sensitive value that moved within its field must be re-located
        # even when the chunk's redacted text reads the same.
        markers = [m.model_dump() for m in self.redactions]
        body = self.text + "\x00" + json.dumps(markers, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


class Chunker:
    def __init__(self, *, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int) -> None:
        self._count = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens

    def chunks(self, fields: Sequence[TextField]) -> list[ChunkDraft]:
        redacted = redact_fields([(f.name, f.text) for f in fields])
        parts = [
            field.label + out.text.strip()
            for field, out in zip(fields, redacted.fields, strict=True)
            if out.text.strip()
        ]
        texts = split_text(
            "\n\n".join(parts),
            count_tokens=self._count,
            max_tokens=self.max_tokens,
            overlap_tokens=self.overlap_tokens,
        )
        return [
            ChunkDraft(n, chunk, tuple(markers_in(chunk, redacted.markers)))
            for n, chunk in enumerate(texts)
        ]


def chunk_tokens(settings: Settings, embedder: Embedder) -> int:
    """A chunk's token budget: the configured one within the model's limit, else up to 512."""
    limit = min(embedder.spec.max_tokens, 512)
    return min(settings.chunk_tokens, embedder.spec.max_tokens) if settings.chunk_tokens else limit
