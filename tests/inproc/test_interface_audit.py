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


@pytest.mark.parametrize("command", ["/renewals", "/index"])
def test_an_empty_text_answers_with_the_usage_and_examples_after_the_default_answer(inproc: InProcess,
                                                                                    command: str) -> None:
    """"Every command answers `help` (and an empty text) with its usage and examples": `/renewals` and `/index`
    keep their default answer (the 90-day window, the indices known) and end with the usage and examples."""
    inproc.command("add CTR-EMPTY title:Empty vendor:Acme end:2026-08-01")
    answer = inproc.command("", command=command)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    help_text = inproc.command("help", command=command)["text"]
    usage, examples = help_text.split("\n\nExamples\n")
    assert usage in answer["text"] and examples in answer["text"], answer["text"]
    footer = answer["blocks"][-1]
    assert footer["type"] == "context" and "Examples" in footer["elements"][0]["text"]
    if command == "/renewals":
        assert "CTR-EMPTY" in answer["text"]  # the default 90-day window is still answered
