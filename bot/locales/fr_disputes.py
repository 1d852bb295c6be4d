"""French messages for the disputes feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
}
