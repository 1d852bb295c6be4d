"""French messages for the obligations feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "usage_obligation": (
        "`/obligation add <contrat> <quoi> due:<date> [every:<durée>] [owner:<@personne>] [party:vendor|us] "
        "[evidence:required]`\n"
        "`/obligation done OBL-<n> [evidence:<lien ou texte>] [note:…]` · `/obligation waive OBL-<n> note:…`\n"
        "`/obligation list [contrat] [due|overdue|all] [public]` · `/obligation show OBL-<n> [public]`"),
    "examples_obligation": (
        "`/obligation add CTR-2024-001 \"Attestation d'assurance\" due:31/01/2027 every:1an evidence:required`\n"
        "`/obligation add CTR-2024-001 \"Test du PRA\" due:\"dans 3 mois\" owner:@anne party:us`\n"
        "`/obligation done OBL-12 evidence:https://intranet/attestations/2027.pdf`\n"
        "`/obligation waive OBL-12 note:\"Couvert par la police du groupe\"` · `/obligation list overdue`"),
    # errors
    "err_obl_usage": "Indiquez le contrat, ce qui doit être fait et `due:<date>`.",
    "err_obl_missing_due": "Pour quand ? Ajoutez `due:<date>`, par exemple `due:31/03/2027`.",
    "err_obl_bad_due": "Je ne sais pas lire l'échéance « {value} ». Essayez `2027-03-31`, `31/03/2027` ou "
                       "`dans 3 mois`.",
    "err_obl_bad_every": "« {value} » n'est pas une périodicité : jours, semaines, mois ou années, par exemple "
                         "`every:1an`, `every:6mois`.",
    "err_obl_bad_party": "`party:` vaut `vendor` (le fournisseur doit le faire) ou `us` (nous devons le faire).",
    "err_obl_bad_evidence_flag": "Pour `add`, `evidence:` ne prend que `required`.",
    "err_obl_bad_owner": "`owner:` est une personne Slack, par exemple `owner:@anne`.",
    "err_obl_missing_number": "Quelle obligation ? Donnez son numéro, par exemple `OBL-12`.",
    "err_obl_unknown": "L'obligation {number} n'existe pas. `/obligation list` les affiche.",
    "err_obl_closed": "{number} est déjà {status} : rien n'a été modifié.",
    "err_obl_evidence_required": "{number} exige une preuve : ajoutez `evidence:<lien ou texte>`. "
                                 "Rien n'a été modifié.",
    "err_obl_waive_needs_note": "Dites pourquoi elle est levée : `note:\"…\"`. Rien n'a été modifié.",
    "err_obl_forbidden": "Seuls les gestionnaires de contrats et le responsable de l'obligation peuvent modifier "
                         "{number}. Rien n'a été modifié.",
    "err_obl_add_forbidden": "Seuls les gestionnaires de contrats et le responsable du contrat peuvent ajouter des "
                             "obligations à {ref}. Rien n'a été modifié.",
    "err_obl_too_long": "Le texte de l'obligation est trop long ({limit} caractères au plus).",
    # statuses and parties
    "obl_status_pending": "à venir", "obl_status_due_soon": "échéance proche", "obl_status_overdue": "en retard",
    "obl_status_fulfilled": "remplie", "obl_status_waived": "levée",
    "obl_party_vendor": "fournisseur", "obl_party_us": "nous",
    "obl_every": "tous les {every}", "obl_once": "une fois",
    "obl_evidence_required": "preuve exigée", "obl_evidence_optional": "preuve facultative",
    # confirmations
    "obl_added": "{user} a ajouté *{number}* à *{ref}* · {title} : {what} — échéance {due} ({left}), {every}.",
    "obl_done": "{user} a marqué *{number}* comme faite ({ref} : {what}).",
    "obl_done_next": "{user} a marqué *{number}* comme faite pour le {was} ({ref} : {what}). Prochaine échéance "
                     "{due} ({left}).",
    "obl_waived": "{user} a levé *{number}* ({ref} : {what}) : _{note}_",
    "obl_evidence_line": "Preuve : {evidence}",
    # list and card
    "obl_list_open": "Obligations à faire{ref} ({n})",
    "obl_list_due": "Obligations à échéance proche ou en retard{ref} ({n})",
    "obl_list_overdue": "Obligations en retard{ref} ({n})", "obl_list_all": "Toutes les obligations{ref} ({n})",
    "obl_list_empty": "Aucune obligation ici.",
    "obl_line": "*{number}* {status} · {ref} · {what} · échéance {due} ({left}) · {owner}",
    "f_obl_contract": "Contrat", "f_obl_due": "Échéance", "f_obl_every": "Périodicité", "f_obl_owner": "Responsable",
    "f_obl_party": "Qui doit le faire", "f_obl_evidence": "Preuve", "f_obl_status": "Statut",
    "obl_history": "Historique", "obl_fulfilments": "Réalisations",
    "obl_fulfilment_line": "échéance {due} · faite le {done} par {user}{evidence}",
    "obl_snoozed_line": "Alertes mises en pause par {user} jusqu'au {until}.",
    "f_next_obligation": "Prochaine obligation", "f_overdue_obligations": "Obligations en retard",
    "card_obl_none": "aucune", "card_obl_next": "{number} {what} · {due} ({left})",
    # history actions
    "action_obligation_add": "obligation ajoutée", "action_obligation_done": "obligation remplie",
    "action_obligation_waive": "obligation levée", "action_obligation_snooze": "alertes d'obligation en pause",
    # alerts
    "obl_alert_due": "{owner} *{number}* · {what} — sur *{ref} · {title}* : échéance {due} ({left}).",
    "obl_alert_overdue": "{owner} *{number}* · {what} — sur *{ref} · {title}* : échéance dépassée le {due} ({left}).",
    "obl_alert_party_vendor": "Le fournisseur doit la fournir : réclamez-la puis enregistrez-la avec le bouton Fait.",
    "obl_alert_party_us": "C'est à nous de le faire.",
    "obl_alert_evidence": "Une preuve est exigée pour la marquer comme faite.",
    "obl_alert_done": "Faite, par {user}.",
    "obl_alert_waived": "Levée par {user}.",
    "btn_obl_done": "Fait", "btn_obl_snooze": "Reporter de 7 jours",
    "obl_snoozed_until": "Mise en pause par {user} jusqu'au {until}.",
    "m_obl_done_title": "Obligation remplie", "m_obl_evidence": "Preuve (un lien ou quelques mots)",
    "m_obl_evidence_hint": "{number} : {what}", "m_obl_note": "Note",
    "obl_job_failed": "{number} : non traitée ({error}) ; les autres obligations sont parties.",
}
