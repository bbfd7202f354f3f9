"""The import rules (`lint-imports`, configured in pyproject.toml) hold, and the check really
fails when one is broken: each case copies the packages, adds one forbidden import to the copy,
and runs the same command `make lint` runs against it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "crm_common": ROOT / "libs/common/src/crm_common",
    "gmail_fake": ROOT / "libs/gmail-fake/src/gmail_fake",
    "crm_api": ROOT / "services/crm-api/src/crm_api",
    "gmail_sync": ROOT / "services/gmail-sync/src/gmail_sync",
    "crm_resolver": ROOT / "services/resolver/src/crm_resolver",
    "crm_ingest": ROOT / "services/ingest/src/crm_ingest",
    "mcp_gateway": ROOT / "services/mcp-gateway/src/mcp_gateway",
}


def lint_imports(cwd: Path, *, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_with_import(tmp_path: Path, module: str, line: str) -> Path:
    """The workspace's packages under `tmp_path/src`, with `line` added to `module`'s file."""
    src = tmp_path / "src"
    for name, path in SOURCES.items():
        shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = src.joinpath(*module.split(".")).with_suffix(".py")
    if not target.exists():
        target = src.joinpath(*module.split("."), "__init__.py")
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return src


def test_the_workspace_keeps_every_import_rule() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        pytest.param(
            "crm_resolver.settings",
            "import crm_ingest.settings  # noqa: F401",
            "services-independent",
            id="a service imports another service",
        ),
        pytest.param(
            "crm_api.grid.models",
            "import crm_api.automations.rules  # noqa: F401",
            "crm-api-layers",
            id="a crm-api domain imports one of a layer above",
        ),
        pytest.param(
            "crm_api.tags.service",
            "import crm_api.lookups.service  # noqa: F401",
            "crm-api-layers",
            id="a crm-api leaf imports a sibling of its own layer",
        ),
        pytest.param(
            "crm_common.errors",
            "import crm_api.settings  # noqa: F401",
            "common-imports-no-service",
            id="libs/common imports a service",
        ),
        pytest.param(
            "crm_resolver.sources.service",
            "import crm_resolver.matching.service  # noqa: F401",
            "resolver-layers",
            id="a resolver domain imports one of a layer above",
        ),
        pytest.param(
            "crm_ingest.search.endpoints",
            "import crm_ingest.process  # noqa: F401",
            "ingest-layers",
            id="an ingest domain imports one of a layer above",
        ),
        pytest.param(
            "gmail_sync.matching.service",
            "import gmail_sync.mail.service  # noqa: F401",
            "gmail-sync-layers",
            id="a gmail-sync domain imports one of a layer above",
        ),
        pytest.param(
            "gmail_sync.settings",
            "import gmail_fake  # noqa: F401",
            "gmail-fake-tests-only",
            id="a service imports the Gmail fake",
        ),
    ],
)
def test_the_check_fails_when_a_forbidden_import_is_added(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    src = copy_with_import(tmp_path, module, line)
    result = lint_imports(tmp_path, pythonpath=src)
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())
    assert f"{contract_name(contract)} BROKEN" in report, result.stdout


def contract_name(contract_id: str) -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (name,) = [c["name"] for c in contracts if c["id"] == contract_id]
    return " ".join(str(name).split())
