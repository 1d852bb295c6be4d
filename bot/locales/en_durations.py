"""English words for durations in the unit they were written in (merged into the en catalog by bot.i18n):
`2w` reads "2 weeks", `4h` "4 hours" (days, months and years are in the core catalog)."""

MESSAGES: dict[str, str] = {
    "n_weeks": "{n} weeks",
    "n_weeks_one": "1 week",
    "n_business_days": "{n} business days",
    "n_business_days_one": "1 business day",
    "n_hours": "{n} hours",
    "n_hours_one": "1 hour",
    "n_minutes": "{n} minutes",
    "n_minutes_one": "1 minute",
}
