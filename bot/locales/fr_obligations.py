"""French messages for the obligations feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
}
