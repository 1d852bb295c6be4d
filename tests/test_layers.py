"""The layer contracts (pyproject.toml, docs/design.md) are kept, and they would catch a wrong import.

`lint-imports` runs on a copy of the packages: once as they are (kept: the positive control), once
with one import that breaks a rule added to a pure domain module (broken, and the report names it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("bot", "handlers", "storage", "jobs")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is in the test extras")


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=where, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_contracts_are_kept_and_a_domain_module_importing_a_handler_breaks_them(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    kept = _lint(copy)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "0 broken" in kept.stdout

    domain = copy / "bot" / "durations.py"
    domain.write_text(domain.read_text(encoding="utf-8") + "\nimport handlers.dispatch  # a wrong import\n",
                      encoding="utf-8")
    broken = _lint(copy)
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout
    assert "bot.durations -> handlers.dispatch" in broken.stdout


def test_storage_reading_user_input_breaks_the_storage_contract(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    service = copy / "storage" / "contracts.py"
    service.write_text(service.read_text(encoding="utf-8") + "\nfrom bot.contract_input import read_contract_fields\n",
                       encoding="utf-8")
    broken = _lint(copy)
    assert broken.returncode != 0
    assert "Storage speaks no Slack and no language, and reads no user input BROKEN" in broken.stdout.replace("\n", " ")
    assert "storage.contracts -> bot.contract_input" in broken.stdout
