"""Promises of the outside interface (the spec's "Slash commands" section) that the audit of 2026-12-01
found differing or untested, checked through the real app (`app.dispatch`)."""

from __future__ import annotations

import pytest

from tests.inproc.conftest import InProcess

COMMANDS = ("/contract", "/renewals", "/incident", "/sla", "/dispute", "/obligation", "/index")


@pytest.mark.parametrize("word", ["help", "aide", "HELP"])
def test_every_command_answers_help_and_aide_with_its_usage_and_examples(inproc: InProcess, word: str) -> None:
    """"Every command answers `help` … with its usage and examples" — and `aide`, its French, the same
    everywhere (`/contract aide` was read as a search for a contract called "aide")."""
    for command in COMMANDS:
        answer = inproc.command(word, command=command)
        assert answer.get("response_type", "ephemeral") == "ephemeral", command
        assert f"`{command}" in answer["text"], (command, answer["text"])
        assert "Examples" in answer["text"], (command, answer["text"])
        assert "No contract found" not in answer["text"], command
