"""ingest's configuration: `INGEST_*` variables (plus the shared DATA_DIR, NATS_URL, LOG_LEVEL)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from crm_common.settings import ServiceSettings

ModelName = Literal["minilm", "bge-m3"]


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", validate_default=True)

    service_name: ClassVar[str] = "ingest"
    has_database: ClassVar[bool] = True

    port: int = 8084

    # -- embeddings -----------------------------------------------------------------------------
    model: ModelName = Field(
        default="minilm",
        description="minilm (offline, bundled; the make up default) or bge-m3 (production)",
    )
    model_path: str = Field(
        default="",
        description="bge-m3: a local directory or a hub name (default BAAI/bge-m3); minilm: a "
        "sentence-transformers directory (default: the bundled model)",
    )
    device: str = Field(default="cpu", description="torch device: cpu, cuda, cuda:0 ...")
    embed_batch_size: int = Field(default=32, ge=1, le=1024, description="texts per forward pass")
    torch_threads: int = Field(
        default=0, ge=0, le=256, description="CPU threads for torch; 0: half the CPUs, at least 1"
    )
    chunk_tokens: int = Field(
        default=0,
        ge=0,
        le=8192,
        description="chunk size in model tokens; 0: the model's limit, at most 512",
    )
    chunk_overlap_tokens: int = Field(default=48, ge=0, le=1024)
    bm25_avg_len: float = Field(
        default=60.0, gt=0, description="average chunk length in BM25 tokens (length norm)"
    )

    # -- store ----------------------------------------------------------------------------------
    qdrant_url: str = Field(
        default="",
        description="a Qdrant server or cluster (http(s)://host:6333); empty: Qdrant Edge "
        "in-process under DATA_DIR/qdrant",
    )
    qdrant_api_key: SecretStr | None = Field(default=None, description="for QDRANT_URL")
    collection: str = Field(default="crm_chunks", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    optimize_threshold: int = Field(
        default=20_000,
        ge=1,
        description="Qdrant Edge: build the index once this many points were written since the "
        "last build",
    )
    optimize_check_seconds: float = Field(default=10.0, gt=0)

    # -- pipeline -------------------------------------------------------------------------------
    consumer_batch_size: int = Field(default=128, ge=1, le=1000, description="events per fetch")
    fetch_wait_seconds: float = Field(
        default=0.1,
        gt=0,
        le=30,
        description="how long a fetch waits to fill its batch; a fetch returns no sooner when "
        "fewer events are waiting, so this bounds how long a lone event waits to be read",
    )
    index_batch_size: int = Field(
        default=64, ge=1, le=2048, description="chunks the indexer embeds and writes at a time"
    )
    request_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="how long a consumer waits for another service's answer (gmail-sync's "
        "message text) before the event is retried later",
    )

    @field_validator("qdrant_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @property
    def store_dir(self) -> Path:
        return (self.data_dir / "qdrant" / self.collection).resolve()
