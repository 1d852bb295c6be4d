"""Les durées en toutes lettres dans l'unité où elles ont été écrites (fusionné dans le catalogue fr par
bot.i18n) : `2w` se lit « 2 semaines », `4h` « 4 heures » (jours, mois et ans : catalogue principal)."""

MESSAGES: dict[str, str] = {
    "n_weeks": "{n} semaines",
    "n_weeks_one": "1 semaine",
    "n_business_days": "{n} jours ouvrés",
    "n_business_days_one": "1 jour ouvré",
    "n_hours": "{n} heures",
    "n_hours_one": "1 heure",
    "n_minutes": "{n} minutes",
    "n_minutes_one": "1 minute",
}
