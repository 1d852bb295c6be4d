"""Messages français du module litiges (fusionnés dans le catalogue fr par bot.i18n ; clés uniques)."""

MESSAGES: dict[str, str] = {
    "dsp_status_open": "ouvert", "dsp_status_negotiating": "en négociation", "dsp_status_escalated": "escaladé",
    "dsp_status_mediation": "en médiation", "dsp_status_litigation": "au contentieux", "dsp_status_settled": "réglé",
    "dsp_status_closed": "clos",
    "dsp_opened": "*{number}* ouvert sur *{ref}* {title} par {user} : {summary}",
    "dsp_amounts": "Réclamé {claimed} · récupéré {recovered}",
    "dsp_written_off": "abandonné {amount}",
    "dsp_incidents": "Incidents liés : {numbers}",
    "dsp_no_incidents": "Aucun incident lié.",
    "dsp_from_sla": "Réclamé d’après les pénalités (crédits de service) dues pour {start} – {end} :",
    "dsp_credit_incidents": "{priority} : {n} incident(s) en dépassement × {credit_pct} × redevance mensuelle {monthly_fee} = {amount}",
    "dsp_credit_availability": "disponibilité {availability} sous l’objectif {target} : {credit_pct} × redevance mensuelle {monthly_fee} = {amount}",
    "dsp_credit_cap": "plafonné à {cap_pct} de la redevance mensuelle : {before_cap} → {amount}",
    "dsp_done_move": "*{number}* ({ref}) : {before} → *{after}*, par {user}.",
    "dsp_done_reopen": "*{number}* ({ref}) rouvert par {user}.",
    "dsp_done_note": "Point enregistré sur *{number}* ({ref}, {after}) par {user}.",
    "dsp_done_close": "*{number}* ({ref}) clos par {user}.",
    "dsp_outcome": "Issue : {outcome}",
    "dsp_field_status": "statut", "dsp_field_summary": "objet", "dsp_field_amount_claimed": "réclamé",
    "dsp_field_incidents": "incidents", "dsp_field_from_sla": "d’après les pénalités SLA de",
    "dsp_field_outcome": "issue", "dsp_field_amount_recovered": "récupéré",
    "dsp_field_amount_written_off": "abandonné", "dsp_field_reminder_snoozed_until": "rappel reporté au",
    "action_dispute_open": "litige ouvert", "action_dispute_update": "statut du litige modifié",
    "action_dispute_close": "litige clos", "action_dispute_reopen": "litige rouvert",
    "action_dispute_note": "point sur le litige", "action_dispute_snooze": "rappel du litige reporté",
    "dsp_f_claimed": "Réclamé (en jeu)", "dsp_f_recovered": "Récupéré", "dsp_f_written_off": "Abandonné",
    "dsp_f_outcome": "Issue", "dsp_f_last_change": "Dernier changement",
    "dsp_timeline": "Chronologie",
    "dsp_list_open": "Litiges en cours ({n}){ref}", "dsp_list_all": "Litiges ({n}){ref}",
    "dsp_list_empty": "Aucun litige.",
    "dsp_totals": "Total réclamé {claimed} · récupéré {recovered}",
    "dsp_age": "ouvert le {opened} · dernier changement il y a {days} jour(s)",
    "dsp_f_open_disputes": "Litiges en cours",
    "dsp_card_open": "{n} · {amount} en jeu",
    "dsp_stale": "{user} *{number}* sur *{ref}* {title} n’a pas bougé depuis {days} jours (depuis le {last}) ; "
                 "statut {status}, réclamé {claimed}.\n{summary}",
    "dsp_btn_update": "Ajouter un point",
    "dsp_reminder_snoozed": "Reporté par {user} jusqu’au {until}.",
    "dsp_reminder_updated": "Point enregistré par {user}.",
    "dsp_m_title": "Point sur le litige", "dsp_m_status": "Nouveau statut (facultatif)",
    "dsp_m_intro": "*{number}* ({ref}) est {status}. Qu’est-ce qui a changé ?",
    "usage_dispute": (
        "`/dispute open <contrat> <objet> [amount:<montant>] [incident:INC-<n>] [from:sla [period:<période>]]`\n"
        "`/dispute update DSP-<n> <statut> [note:…]` — statuts : open, negotiating, escalated, mediation, "
        "litigation, settled, closed\n"
        "`/dispute close DSP-<n> <issue> [recovered:<montant>] [force]`\n"
        "`/dispute list [contrat] [open|all]` · `/dispute show DSP-<n>`"
    ),
    "examples_dispute": (
        "`/dispute open CTR-OBS-001 \"Coupures WAN non créditées\" amount:12k incident:INC-4`\n"
        "`/dispute open CTR-OBS-001 \"Pénalités d’octobre\" from:sla period:\"le mois dernier\"`\n"
        "`/dispute update DSP-3 escalated note:\"comité de pilotage le 12 mars\"`\n"
        "`/dispute close DSP-3 \"avoir reçu\" recovered:9k` · `/dispute list Oracle all`"
    ),
    "err_dispute_verb": "« {text} » n’est pas une action de /dispute : open, update, close, list ou show.",
    "err_dispute_missing": "Quel litige ? Donnez son numéro, par ex. DSP-3.",
    "err_dispute_unknown": "Il n’existe pas de litige {number}.",
    "err_dispute_currency": "`{field}` : le montant est en {currency} mais le contrat est en {expected}.",
    "err_dispute_open_usage": "Donnez le contrat et l’objet du litige.",
    "err_dispute_from": "`from:{value}` est inconnu : seulement `from:sla` (les pénalités dues).",
    "err_dispute_period_without_sla": "`period:` ne s’emploie qu’avec `from:sla`.",
    "err_dispute_amount_and_sla": "Donnez soit `amount:`, soit `from:sla` (qui calcule le montant), pas les deux.",
    "err_dispute_bad_status": "« {value} » n’est pas un statut de litige : open, negotiating, escalated, mediation, "
                              "litigation, settled ou closed.",
    "err_dispute_close_usage": "Donnez l’issue, par ex. `/dispute close DSP-3 \"avoir reçu\" recovered:9k`.",
    "err_dispute_move": "Un litige ne peut pas passer de {before} à {after}. Possible depuis {before} : {allowed}.",
    "err_dispute_reopen_note": "Rouvrir un litige clos demande un motif : ajoutez `note:\"…\"`.",
    "err_dispute_recovered_above": "Le montant récupéré ({recovered}) dépasse le montant réclamé ({claimed}) ; "
                                   "ajoutez `force` si c’est exact.",
    "err_dispute_update_nothing": "Donnez un nouveau statut, ou une `note:`.",
    "err_dispute_incident_elsewhere": "{number} n’est pas un incident de {ref}.",
    "err_dispute_sla_no_value": "{ref} n’a pas de valeur annuelle : les pénalités ne peuvent pas être calculées.",
    "err_dispute_sla_nothing_due": "Aucune pénalité n’est due sur {ref} pour {start} – {end} : rien à réclamer.",
    "err_dispute_not_yours": "Seuls le responsable du contrat ou un gestionnaire de contrats peuvent agir sur ce rappel.",
    "err_list_disputes_filter": "`disputes:{value}` : seul `disputes:open` liste les contrats ayant des litiges en cours.",
}
