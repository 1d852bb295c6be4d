"""French messages for the report feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "usage_contract_report": "`/contract report [période]` — les indicateurs du portefeuille (par défaut : les 12 "
                             "derniers mois)",
    "rep_title": "Rapport du portefeuille, {start} – {end}",
    "rep_none": "néant",
    "rep_portfolio": "*Sous gestion :* {contracts} contrats avec {vendors} fournisseurs ; dépense annuelle en vigueur : "
                     "{spend}",
    "rep_portfolio_how": "contrats actifs, en négociation ou avec préavis donné aujourd'hui ; dépense = leurs valeurs "
                         "annuelles, par devise (les devises ne sont jamais additionnées)",
    "rep_amendments": "*Avenants signés :* {n}",
    "rep_amendments_how": "avenants enregistrés dans la période, révisions de prix comprises",
    "rep_disputes": "*Litiges :* {opened} ouverts, {closed} clos, {open} en cours",
    "rep_disputes_money": "en jeu {stake} · récupéré {recovered} · passé en perte {written_off}",
    "rep_disputes_how": "ouverts / clos = selon leur date d'ouverture / de clôture, dans la période ; en cours = ni "
                        "réglés ni clos, aujourd'hui ; en jeu = montant réclamé des litiges en cours ; récupéré et "
                        "passé en perte (réclamé − récupéré) = litiges clos dans la période",
    "rep_incidents": "*Crises gérées :* {crises} incidents P1 ({resolved} résolus) · *Manquements SLA :* {breaches}",
    "rep_incidents_how": "incidents ouverts dans la période ; un manquement = un incident dont le délai de prise en "
                         "charge ou de résolution n'a pas été tenu (ou est dépassé alors qu'il est encore ouvert)",
    "rep_credits": "*Pénalités SLA :* dues {due} · réclamées {claimed}",
    "rep_credits_how": "dues = pénalités calculées comme `/sla`, mois par mois sur la période ; réclamées = montants "
                       "des litiges ouverts `from:sla` dans la période",
    "rep_trajectory": "*Trajectoire financière* — dépense annuelle engagée par mois ({currency}), comparée à un an "
                      "plus tôt",
    "rep_trajectory_how": "un contrat compte dans un mois s'il est en vigueur le premier jour du mois (du début à la "
                          "fin ; une tacite reconduction sans préavis continue), à la valeur annuelle en vigueur ce "
                          "jour-là : les changements de valeur (avenants, imports, révisions) sont lus dans "
                          "l'historique et s'appliquent du jour où ils ont été enregistrés. Mois suivants : ce qui "
                          "est engagé si rien ne change.",
    "rep_month_line": "{month}  {amount}  ({before} un an plus tôt{change})",
    "rep_top_vendors": "*Principaux fournisseurs par dépense annuelle* ({currency})",
    "rep_no_value": "Aucun contrat n'a encore de valeur annuelle : ajoutez `value:` aux contrats pour voir la "
                    "trajectoire.",
    "rep_chart_title": "Dépense annuelle engagée par mois",
    "rep_chart_year_before": "un an plus tôt",
    "rep_chart_now": "ce mois-ci",
    "rep_chart_file": "Graphique de la trajectoire financière",
    "err_bad_report_period": "Je ne comprends pas la période « {text} ». Essayez `12 derniers mois`, `ce trimestre`, "
                             "`2026`, `le mois dernier`, `2026-03`, `T1 2026` ou `mars 2026`.",
    # digest
    "dg_title": "Synthèse hebdomadaire, semaine {week}",
    "dg_decisions": "*Décisions à prendre dans les 30 prochains jours* ({n})",
    "dg_decisions_none": "Aucune décision à prendre dans les 30 prochains jours.",
    "dg_decision_line": "{overdue}*{ref}* {title} — {vendor} · décider avant le {act_by} ({days}) · {value}",
    "dg_tacit": "*Tacites reconductions la semaine dernière* ({n})",
    "dg_tacit_none": "Aucune tacite reconduction la semaine dernière.",
    "dg_tacit_line": "*{ref}* {title} — reconduit jusqu'au {end} · {value}",
    "dg_sla": "*Manquements SLA la semaine dernière* ({n}) · pénalités dues ce mois-ci à ce jour : {credits}",
    "dg_sla_none": "Aucun manquement SLA la semaine dernière · pénalités dues ce mois-ci à ce jour : {credits}",
    "dg_sla_line": "INC-{id} {priority} *{ref}* {summary}",
    "dg_disputes": "*Litiges en cours, du plus ancien* ({n}) · en jeu {stake}",
    "dg_disputes_none": "Aucun litige en cours.",
    "dg_dispute_line": "DSP-{id} *{ref}* {summary} — {status} · ouvert depuis {days} jours · {amount}",
    "dg_more": "… et {n} de plus : `{command}`",
    "dg_indicators": "*Indicateurs, 12 derniers mois* (voir `/contract report`)",
    "dg_trend": "*Dépense annuelle engagée* ({currency}) : {now} ce mois-ci ({before} un an plus tôt) ; {later} dans 12 mois si rien ne change",
    # App Home
    "home_title": "Vos contrats",
    "home_decisions": "*Vos décisions à prendre dans les 30 prochains jours* ({n})",
    "home_decisions_none": "Rien à décider pour vous dans les 30 prochains jours.",
    "home_disputes": "*Litiges en cours sur vos contrats* ({n})",
    "home_disputes_none": "Aucun litige en cours sur vos contrats.",
    "home_incidents": "*Incidents ouverts sur vos contrats* ({n})",
    "home_incidents_none": "Aucun incident ouvert sur vos contrats.",
    "home_incident_line": "INC-{id} {priority} *{ref}* {summary} — depuis le {since}",
    "home_portfolio": "Indicateurs du portefeuille, 12 derniers mois",
    "rep_obligations": "*Obligations remplies :* {on_time} à temps · {late} en retard",
    "rep_obligations_how": "obligations marquées faites (`/obligation done`) dans la période ; à temps = faites au "
                           "plus tard à leur échéance ; les obligations levées ne sont pas comptées",
    "rep_revisions": "*Révisions de prix appliquées :* {n} · effet sur la dépense annuelle {effect}",
    "rep_revisions_how": "révisions appliquées avec `/contract revise <REF> apply` prenant effet dans la période ; "
                         "effet = valeur annuelle révisée − valeur d'avant, additionnées par devise",
    "dg_obligations": "*Obligations en retard ou à échéance dans les 30 jours* ({n})",
    "dg_obligations_none": "Aucune obligation en retard ni à échéance dans les 30 jours.",
    "dg_obligation_line": "{overdue}OBL-{id} *{ref}* {what} — échéance le {due} ({days})",
    "dg_revisions": "*Révisions de prix dans les 30 jours* ({n})",
    "dg_revisions_none": "Aucune révision de prix dans les 30 jours.",
    "dg_revision_line": "*{ref}* {title} — révision {index} au {on} : {change}",
    "dg_revision_change": "{before} → {after}",
    "dg_revision_missing": "{before}, valeur d'indice manquante ({missing})",
    "home_obligations": "*Vos obligations en retard ou à échéance dans les 30 jours* ({n})",
    "home_obligations_none": "Aucune obligation à vous dans les 30 jours.",
}
