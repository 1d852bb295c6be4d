"""English messages for the trust feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    # --- trust-http ---
    "http_unavailable": "The service is temporarily unavailable (the database cannot be reached). Nothing was changed; please try again in a few minutes.",
}
