"""English messages for the revisions feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
}
