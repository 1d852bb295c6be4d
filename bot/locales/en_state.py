"""English messages for typed state and visible failures (merged into the en catalog by bot.i18n)."""

MESSAGES: dict[str, str] = {
    "more_blocks": "…and {count} more not shown here: {command} shows them.",
    "more_blocks_no_command": "…and {count} more not shown here.",
}
