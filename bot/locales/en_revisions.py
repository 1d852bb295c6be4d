"""English messages for the revisions feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    # /index
    "usage_index": (
        "`/index set <NAME> <YYYY-MM> <value> [published:<date>]` — record an index value (managers)\n"
        "`/index <NAME>` — the last values · `/index` — the indices known\n"
        "CSV: `contractbot import index <NAME> FILE.csv` (`month,value,published`)"
    ),
    "examples_index": "`/index set syntec 2024-09 314.5 published:2024-10-31` · `/index syntec`",
    "index_names_title": "Indices known ({n})",
    "index_names_line": "*{name}*: {count} value(s), {first} → {last}",
    "index_names_empty": "No index value is recorded yet. Record one with `/index set syntec 2024-09 314.5`.",
    "index_title": "{name}: the last {n} value(s)",
    "index_line": "`{month}` *{value}* · published {published}{corrected}",
    "index_published_assumed": "by {date}, assumed",
    "index_corrected": " · corrected {n}×",
    "index_empty": "No value is recorded for the index {name}.",
    "index_set_done": "{name} {month} = *{value}* recorded by {user} (published {published}).",
    "index_corrected_done": "{name} {month} corrected by {user}: {before} → *{value}* (published {published}).",
    "index_unchanged": "{name} {month} is already {value}: nothing changed.",
    "err_index_set_usage": "Give the index, the month and the value, e.g. `/index set syntec 2024-09 314.5`.",
    "err_index_name": "“{value}” is not an index name (letters, digits, `-`, `_`, `.`; at most 32).",
    "err_index_month": "“{value}” is not a month: write it YYYY-MM, e.g. 2024-09.",
    "err_index_value": "“{value}” is not an index value: a positive number, e.g. 314.5 (at most 4 decimals).",
    "err_index_published_before": "The value of {month} cannot be published on {published}, before the month starts.",
    "err_index_csv_columns": "the header must be `month,value,published` (missing: {missing}; unknown: {unknown})",
    "err_index_csv_cells": "more cells than columns",
    "err_index_csv_published": "published: “{value}” is not a date YYYY-MM-DD",
    "err_index_csv_duplicate": "the month {month} already appears on line {line}",
    "err_index_missing": "{index} {month} is not recorded yet.",
    # /contract indexation and revise
    "usage_contract_revision": (
        "`/contract indexation <REF> index:<NAME> base:<YYYY-MM> [fixed:<0..1>] [every:<dur>] [first:<date>] "
        "[mode:base|chained] [lag:<months>] [min:<pct>] [cap:<pct>] [round:<money>]` — the revision clause "
        "(managers); `/contract indexation <REF>` shows it\n"
        "`/contract revise <REF> [at:<date>] [apply]` — the revision step by step; `apply` records it (managers)\n"
        "P = P0 × (fixed + (1 − fixed) × S / S0). Defaults: fixed:0, every:12mo, first: one period after the "
        "start, mode:base, lag:0 (the last value published by the revision date), round:0.01 (half up)."
    ),
    "examples_contract_revision": (
        "`/contract indexation CTR-CAP-001 index:syntec base:2023-09 fixed:0.15` · "
        "`/contract revise CTR-CAP-001` · `/contract revise CTR-CAP-001 apply`"
    ),
    "err_rev_bad_date": "`{field}`: “{value}” is not a date I can read (e.g. 2027-01-01, 1 janvier 2027).",
    "err_rev_fixed": "fixed: “{value}” must be a number between 0 and 1 (e.g. 0.15), the fixed part of the price.",
    "err_rev_every": "every: “{value}” must be whole months or years (e.g. 12mo, 1y, 6mo).",
    "err_rev_mode": "mode: “{value}” must be `base` or `chained`.",
    "err_rev_lag": "lag: “{value}” must be a number of months from 0 to {max}.",
    "err_rev_pct": "{field}: “{value}” is not a percentage between 0 and 100.",
    "err_rev_round": "round: “{value}” is not a positive amount (e.g. 0.01, 1, 10).",
    "err_rev_needs_index_base": "A new revision clause needs `index:` and `base:` (the base month, YYYY-MM).",
    "err_rev_no_value": "{ref} has no annual value: set one first (`/contract amend {ref} value:…`).",
    "err_rev_needs_first": "{ref} has no start date: give the first revision date with `first:<date>`.",
    "err_rev_first_before_base": "The first revision ({first}) must come after the base month {base}.",
    "err_rev_no_clause": "{ref} has no price revision clause. Set one with `/contract indexation {ref} "
                         "index:syntec base:<YYYY-MM>`.",
    "err_rev_already_applied": "The revision of {ref} effective {date} was already applied.",
    "err_rev_unexpected": "Unexpected words: {text}",
    "f_revision": "Price revision",
    "rev_card_line": "{index} since {base} · {mode} · next {next}",
    "rev_clause_title": "Price revision clause of {ref}",
    "rev_clause_set": "Price revision clause of *{ref}* {title} set by {user}.",
    "rev_clause_unchanged": "The clause of *{ref}* already says that: nothing changed.",
    "rev_f_index": "Index · base month", "rev_f_formula": "Formula", "rev_f_every": "Every · first revision",
    "rev_f_mode": "Mode", "rev_f_lag": "S is", "rev_f_limits": "Min · cap · rounding", "rev_f_p0": "P0",
    "rev_f_next": "Next revision",
    "rev_mode_base": "base (always from P0 and S0)",
    "rev_mode_chained": "chained (from the last revised price and its index)",
    "rev_lag_zero": "the last value published by the revision date",
    "rev_lag_n": "the value of {n} month(s) before the revision date",
    "rev_none": "none",
    "rev_title": "Price revision of {ref} on {date}",
    "rev_p0": "P0 = {value} (annual value at the base month {base})",
    "rev_pref_chained": "P_ref = {value}, S_ref = {sref} (last revision, index of {month}): mode chained",
    "rev_s0": "S0 = {index} {month} = {value}",
    "rev_s": "S = {index} {month} = {value} (published {published})",
    "rev_formula": "P = {pref} × ({fixed} + {var} × {s} / {sref}) = {raw}",
    "rev_current": "Annual value now: {value} · change {pct}",
    "rev_below_min": "The change is below the {min} minimum: nothing is revised.",
    "rev_capped": "The change is capped at {cap}: {current} × (1 {sign} {cap}) = {value}",
    "rev_rounded": "Rounded to {step} (half up).",
    "rev_new": "*New annual value: {value}* from {date} (was {before}).",
    "rev_same": "*The annual value stays {value}* from {date}.",
    "rev_missing_help": "Record it with `/index set {index} {month} <value>`, then ask again.",
    "rev_apply_hint": "`/contract revise {ref} apply` records it as an amendment (managers).",
    "rev_applied": "Revision of *{ref}* {title} applied by {user}: {before} → *{after}* from {date}.",
    "rev_applied_same": "Revision of *{ref}* {title} on {date} recorded by {user}: the annual value stays {after}.",
    "rev_alert_intro": "{owner}Price revision of *{ref}* {title} on *{date}* ({left}).",
    "rev_alert_settled": "Applied by {user}: {before} → {after}.",
    "btn_rev_apply": "Apply",
    "action_indexation": "price revision clause",
    "action_revision_nochange": "price revision (no change)",
}
