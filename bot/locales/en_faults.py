"""English messages for the faults feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "home_unavailable": "Your dashboard is temporarily unavailable (the database cannot be reached). Open this tab "
                        "again in a few minutes.",
}
