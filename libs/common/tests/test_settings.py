"""Settings from the environment, and startup errors that name the variable."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict

from crm_common.settings import ConfigurationError, ServiceSettings, load_settings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", validate_default=True)
    service_name: ClassVar[str] = "demo"

    port: int = 9999


class NeedsSecret(DemoSettings):
    secret_key: str


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "NATS_URL", "LOG_LEVEL", "DEMO_PORT", "DEMO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_put_the_sqlite_file_under_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    settings = load_settings(DemoSettings)
    assert settings.database_url == f"sqlite:///{tmp_path / 'demo.db'}"
    assert settings.nats_url == "nats://127.0.0.1:4223"
    assert settings.port == 9999
    assert settings.log_level == "INFO"


def test_service_values_take_the_prefix_and_shared_values_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PORT", "7000")
    monkeypatch.setenv("NATS_URL", "nats://a:4222, nats://b:4222")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DEMO_DATABASE_URL", "postgresql://u@h/db")
    settings = load_settings(DemoSettings)
    assert settings.port == 7000
    assert settings.nats_servers == ["nats://a:4222", "nats://b:4222"]
    assert settings.log_level == "DEBUG"
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_a_bad_value_stops_startup_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PORT", "eighty")
    monkeypatch.setenv("NATS_URL", "http://example")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(DemoSettings)
    message = str(caught.value)
    assert "DEMO_PORT" in message
    assert "'eighty'" in message
    assert "NATS_URL" in message


def test_a_missing_value_stops_startup_with_the_variable_named() -> None:
    with pytest.raises(ConfigurationError, match="DEMO_SECRET_KEY: Field required"):
        load_settings(NeedsSecret)


def test_an_unknown_database_scheme_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigurationError, match="DEMO_DATABASE_URL"):
        load_settings(DemoSettings)
