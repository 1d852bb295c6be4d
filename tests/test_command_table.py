"""The one command table (`handlers.commands.COMMANDS`), built explicitly: it matches the manifest."""

from __future__ import annotations

import re
from pathlib import Path

from handlers import commands
from handlers.commands import COMMANDS, SLASH_COMMANDS

ROOT = Path(__file__).resolve().parents[1]


def test_every_slash_command_of_the_manifest_has_its_run_in_the_table() -> None:
    declared = re.findall(r"^\s*- command: (/\w+)\s*$", (ROOT / "manifest.yml").read_text(encoding="utf-8"), re.M)
    assert declared, "the manifest declares slash commands"
    assert sorted(COMMANDS) == sorted(declared)
    assert set(SLASH_COMMANDS) == set(declared)


def test_each_entry_is_the_run_of_the_module_that_names_it() -> None:
    for module in (commands.contract, commands.renewals, commands.incident, commands.sla, commands.dispute,
                   commands.obligation, commands.index):
        assert COMMANDS[module.NAME] is module.run
