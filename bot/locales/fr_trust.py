"""French messages for the trust feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "scale_group_header": "{count} contrats attendent une décision",
    "scale_group_more": "… et {count} de plus : `{command}` les liste tous, les plus urgents d'abord.",
    "scale_group_all": "`{command}` les liste, les plus urgents d'abord.",
    "scale_group_owners": "Responsables : {owners}",
}
