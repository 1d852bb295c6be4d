"""French messages for the faults feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "home_unavailable": "Votre tableau de bord est momentanément indisponible (la base de données ne répond pas). "
                        "Rouvrez cet onglet dans quelques minutes.",
}
