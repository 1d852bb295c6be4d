"""Messages français : état typé et échecs visibles (fusionnés dans le catalogue fr par bot.i18n)."""

MESSAGES: dict[str, str] = {
    "more_blocks": "…et {count} de plus, non affichés ici : {command} les montre.",
    "more_blocks_no_command": "…et {count} de plus, non affichés ici.",
}
