"""English messages for the trust feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "scale_group_header": "{count} contracts need a decision",
    "scale_group_more": "… and {count} more: `{command}` lists them all, most urgent first.",
    "scale_group_all": "`{command}` lists them, most urgent first.",
    "scale_group_owners": "Owners: {owners}",
}
