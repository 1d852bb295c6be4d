"""French messages for the trust feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    # --- trust-http ---
    "http_unavailable": "Le service est momentanément indisponible (la base de données ne répond pas). Rien n'a été modifié ; réessayez dans quelques minutes.",
}
