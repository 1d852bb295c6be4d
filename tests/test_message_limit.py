"""A message past Slack's 50 blocks is not cut silently: its 50th block says how many more there are
and which command shows them, in the message's language (expected texts written here, not read
from the catalog)."""

from __future__ import annotations

from bot.render.common import MAX_BLOCKS, Message, section
from tests.support.fake_slack import validate_blocks


def _message(n: int, **kwargs: object) -> Message:
    return Message(text="t", blocks=[section(f"line {i}") for i in range(n)], **kwargs)  # type: ignore[arg-type]


def test_fifty_blocks_go_out_as_they_are() -> None:
    blocks = _message(MAX_BLOCKS).to_dict()["blocks"]
    assert len(blocks) == 50 and blocks[-1]["text"]["text"] == "line 49"


def test_past_fifty_the_last_block_says_how_many_more_and_where() -> None:
    blocks = _message(60, more_command="`/renewals next 90 days`").to_dict()["blocks"]
    validate_blocks(blocks)
    assert len(blocks) == 50
    assert blocks[48]["text"]["text"] == "line 48"
    assert blocks[49]["type"] == "context"
    assert blocks[49]["elements"][0]["text"] == "…and 11 more not shown here: `/renewals next 90 days` shows them."


def test_the_line_speaks_the_message_language_and_works_without_a_command() -> None:
    french = _message(51, lang="fr", more_command="`/contract list`").to_dict()["blocks"][-1]["elements"][0]["text"]
    assert french == "…et 2 de plus, non affichés ici : `/contract list` les montre."
    assert _message(52).to_dict()["blocks"][-1]["elements"][0]["text"] == "…and 3 more not shown here."
