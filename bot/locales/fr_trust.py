"""French messages for the trust feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "err_reference_format": "« {value} » n'est pas une référence valide : lettres, chiffres et - _ . / : "
                            "uniquement, 64 caractères au plus.",
    "err_date_out_of_range": "`{field}` : « {value} » est hors des dates acceptées (de 1900 à 2200).",
    "err_duration_out_of_range": "`{field}` : « {value} » est trop long : une durée est de 100 ans au plus.",
    "err_text_over_limit": "`{field}` est trop long : {value} caractères au plus.",
    "err_option_too_long": "La valeur de `{option}:` est trop longue : {limit} caractères au plus. Rien n'a été "
                           "modifié.",
    "err_renew_out_of_range": "{ref} se termine le {end} : le renouveler porterait sa fin au-delà du {max}, la "
                              "dernière date acceptée. Rien n'a été modifié ; corrigez sa fin avec "
                              "`/contract amend {ref} end:…`.",
    "err_window_out_of_range": "« {text} » sort des dates acceptées (de 1900 à 2200).",
    "err_snooze_forbidden": "Seuls le responsable du contrat et les gestionnaires de contrats peuvent mettre ses "
                            "alertes en sourdine. Rien n'a été modifié.",
    "err_ack_forbidden": "Seuls le responsable du contrat et les gestionnaires de contrats peuvent accuser "
                         "réception de cette alerte. Rien n'a été modifié.",
    "csv_cell_too_large": "une cellule dépasse {limit} caractères ; le fichier n'a pas été lu au-delà de cette "
                          "ligne.",
    "csv_unreadable": "cette ligne n'est pas du CSV lisible ({reason}) ; le fichier n'a pas été lu au-delà.",
    # --- trust-http ---
    "http_unavailable": "Le service est momentanément indisponible (la base de données ne répond pas). Rien n'a été modifié ; réessayez dans quelques minutes.",
    "scale_group_header": "{count} contrats attendent une décision",
    "scale_group_more": "… et {count} de plus : `{command}` les liste tous, les plus urgents d'abord.",
    "scale_group_all": "`{command}` les liste, les plus urgents d'abord.",
    "scale_group_owners": "Responsables : {owners}",
}
