"""French messages for the revisions feature (merged into the fr catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    # /index
    "usage_index": (
        "`/index set <NOM> <AAAA-MM> <valeur> [published:<date>]` — enregistrer une valeur d'indice (gestionnaires)\n"
        "`/index <NOM>` — les dernières valeurs · `/index` — les indices connus\n"
        "CSV : `contractbot import index <NOM> FICHIER.csv` (`month,value,published`)"
    ),
    "examples_index": "`/index set syntec 2024-09 314.5 published:2024-10-31` · `/index syntec`",
    "index_names_title": "Indices connus ({n})",
    "index_names_line": "*{name}* : {count} valeur(s), {first} → {last}",
    "index_names_empty": "Aucune valeur d'indice n'est enregistrée. Enregistrez-en une avec "
                         "`/index set syntec 2024-09 314.5`.",
    "index_title": "{name} : les {n} dernière(s) valeur(s)",
    "index_line": "`{month}` *{value}* · publiée {published}{corrected}",
    "index_published_assumed": "au plus tard le {date}, supposé",
    "index_corrected": " · corrigée {n}×",
    "index_empty": "Aucune valeur n'est enregistrée pour l'indice {name}.",
    "index_set_done": "{name} {month} = *{value}* enregistré par {user} (publié {published}).",
    "index_corrected_done": "{name} {month} corrigé par {user} : {before} → *{value}* (publié {published}).",
    "index_unchanged": "{name} {month} vaut déjà {value} : rien n'a changé.",
    "err_index_set_usage": "Indiquez l'indice, le mois et la valeur, p. ex. `/index set syntec 2024-09 314.5`.",
    "err_index_name": "« {value} » n'est pas un nom d'indice (lettres, chiffres, `-`, `_`, `.` ; 32 au plus).",
    "err_index_month": "« {value} » n'est pas un mois : écrivez-le AAAA-MM, p. ex. 2024-09.",
    "err_index_value": "« {value} » n'est pas une valeur d'indice : un nombre positif, p. ex. 314,5 "
                       "(4 décimales au plus).",
    "err_index_published_before": "La valeur de {month} ne peut pas être publiée le {published}, avant le début du mois.",
    "err_index_csv_columns": "l'en-tête doit être `month,value,published` (manquant : {missing} ; inconnu : {unknown})",
    "err_index_csv_cells": "plus de cellules que de colonnes",
    "err_index_csv_published": "published : « {value} » n'est pas une date AAAA-MM-JJ",
    "err_index_csv_duplicate": "le mois {month} figure déjà ligne {line}",
    "err_index_missing": "{index} {month} n'est pas encore enregistré.",
    # /contract indexation et revise
    "usage_contract_revision": (
        "`/contract indexation <REF> index:<NOM> base:<AAAA-MM> [fixed:<0..1>] [every:<durée>] [first:<date>] "
        "[mode:base|chained] [lag:<mois>] [min:<pct>] [cap:<pct>] [round:<montant>]` — la clause de révision "
        "(gestionnaires) ; `/contract indexation <REF>` l'affiche\n"
        "`/contract revise <REF> [at:<date>] [apply]` — la révision pas à pas ; `apply` l'enregistre (gestionnaires)\n"
        "P = P0 × (fixe + (1 − fixe) × S / S0). Par défaut : fixed:0, every:12mo, first: une période après le "
        "début, mode:base, lag:0 (la dernière valeur publiée à la date de révision), round:0.01 (au plus proche)."
    ),
    "examples_contract_revision": (
        "`/contract indexation CTR-CAP-001 index:syntec base:2023-09 fixed:0.15` · "
        "`/contract revise CTR-CAP-001` · `/contract revise CTR-CAP-001 apply`"
    ),
    "err_rev_bad_date": "`{field}` : « {value} » n'est pas une date lisible (p. ex. 2027-01-01, 1 janvier 2027).",
    "err_rev_fixed": "fixed : « {value} » doit être un nombre entre 0 et 1 (p. ex. 0.15), la part fixe du prix.",
    "err_rev_every": "every : « {value} » doit être un nombre entier de mois ou d'années (p. ex. 12mo, 1y, 6mo).",
    "err_rev_mode": "mode : « {value} » doit être `base` ou `chained`.",
    "err_rev_lag": "lag : « {value} » doit être un nombre de mois de 0 à {max}.",
    "err_rev_pct": "{field} : « {value} » n'est pas un pourcentage entre 0 et 100.",
    "err_rev_round": "round : « {value} » n'est pas un montant positif (p. ex. 0.01, 1, 10).",
    "err_rev_needs_index_base": "Une nouvelle clause de révision demande `index:` et `base:` (le mois de base, AAAA-MM).",
    "err_rev_no_value": "{ref} n'a pas de montant annuel : indiquez-le d'abord (`/contract amend {ref} value:…`).",
    "err_rev_needs_first": "{ref} n'a pas de date de début : donnez la première révision avec `first:<date>`.",
    "err_rev_first_before_base": "La première révision ({first}) doit suivre le mois de base {base}.",
    "err_rev_no_clause": "{ref} n'a pas de clause de révision de prix. Ajoutez-en une avec `/contract indexation "
                         "{ref} index:syntec base:<AAAA-MM>`.",
    "err_rev_already_applied": "La révision de {ref} au {date} a déjà été appliquée.",
    "err_rev_unexpected": "Mots inattendus : {text}",
    "f_revision": "Révision de prix",
    "rev_card_line": "{index} depuis {base} · {mode} · prochaine le {next}",
    "rev_clause_title": "Clause de révision de prix de {ref}",
    "rev_clause_set": "Clause de révision de prix de *{ref}* {title} définie par {user}.",
    "rev_clause_unchanged": "La clause de *{ref}* dit déjà cela : rien n'a changé.",
    "rev_f_index": "Indice · mois de base", "rev_f_formula": "Formule", "rev_f_every": "Périodicité · 1re révision",
    "rev_f_mode": "Mode", "rev_f_lag": "S est", "rev_f_limits": "Min · plafond · arrondi", "rev_f_p0": "P0",
    "rev_f_next": "Prochaine révision",
    "rev_mode_base": "base (toujours depuis P0 et S0)",
    "rev_mode_chained": "chaîné (depuis le dernier prix révisé et son indice)",
    "rev_lag_zero": "la dernière valeur publiée à la date de révision",
    "rev_lag_n": "la valeur de {n} mois avant la date de révision",
    "rev_none": "aucun",
    "rev_title": "Révision de prix de {ref} au {date}",
    "rev_p0": "P0 = {value} (montant annuel au mois de base {base})",
    "rev_pref_chained": "P_réf = {value}, S_réf = {sref} (dernière révision, indice de {month}) : mode chaîné",
    "rev_s0": "S0 = {index} {month} = {value}",
    "rev_s": "S = {index} {month} = {value} (publié {published})",
    "rev_formula": "P = {pref} × ({fixed} + {var} × {s} / {sref}) = {raw}",
    "rev_current": "Montant annuel actuel : {value} · variation {pct}",
    "rev_below_min": "La variation est sous le minimum de {min} : rien n'est révisé.",
    "rev_capped": "La variation est plafonnée à {cap} : {current} × (1 {sign} {cap}) = {value}",
    "rev_rounded": "Arrondi à {step} (au plus proche, demi vers le haut).",
    "rev_new": "*Nouveau montant annuel : {value}* à compter du {date} (au lieu de {before}).",
    "rev_same": "*Le montant annuel reste {value}* au {date}.",
    "rev_missing_help": "Enregistrez-le avec `/index set {index} {month} <valeur>`, puis redemandez.",
    "rev_apply_hint": "`/contract revise {ref} apply` l'enregistre comme avenant (gestionnaires).",
    "rev_applied": "Révision de *{ref}* {title} appliquée par {user} : {before} → *{after}* à compter du {date}.",
    "rev_applied_same": "Révision de *{ref}* {title} au {date} enregistrée par {user} : le montant annuel reste {after}.",
    "rev_alert_intro": "{owner}Révision de prix de *{ref}* {title} le *{date}* ({left}).",
    "rev_alert_settled": "Appliquée par {user} : {before} → {after}.",
    "btn_rev_apply": "Appliquer",
    "action_indexation": "clause de révision de prix",
    "action_revision_nochange": "révision de prix (sans changement)",
}
