"""English messages for the report feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "usage_contract_report": "`/contract report [period]` — the portfolio's indicators (default: the last 12 months)",
    "rep_title": "Portfolio report, {start} – {end}",
    "rep_none": "none",
    "rep_portfolio": "*Under management:* {contracts} contracts with {vendors} vendors; annual spend in force: {spend}",
    "rep_portfolio_how": "contracts active, negotiating or with notice given today; spend = their annual values, "
                         "per currency (currencies are never added together)",
    "rep_amendments": "*Amendments signed:* {n}",
    "rep_amendments_how": "amendments (avenants) recorded in the period, price revisions included",
    "rep_disputes": "*Disputes:* {opened} opened, {closed} closed, {open} open now",
    "rep_disputes_money": "at stake {stake} · recovered {recovered} · written off {written_off}",
    "rep_disputes_how": "opened / closed = by the date they were opened / closed, in the period; open = not settled or "
                        "closed, today; at stake = amount claimed of open disputes; recovered and written off "
                        "(claimed − recovered) = disputes closed in the period",
    "rep_incidents": "*Crises handled:* {crises} P1 incidents ({resolved} resolved) · *SLA breaches:* {breaches}",
    "rep_incidents_how": "incidents opened in the period; a breach = an incident whose response or resolution target "
                         "was missed (or is past due while still open)",
    "rep_credits": "*Service credits:* due {due} · claimed {claimed}",
    "rep_credits_how": "due = credits computed like `/sla` month by month for the period; claimed = amounts of the "
                       "disputes opened `from:sla` in the period",
    "rep_trajectory": "*Financial trajectory* — committed annual spend by month ({currency}), against a year earlier",
    "rep_trajectory_how": "a contract counts in a month when it is in force on the month's first day (start to end; "
                          "a tacit renewal with no notice given runs on), at the annual value in force that day: "
                          "value changes from amendments, imports and revisions are read from the audit trail and "
                          "take effect the day they were recorded. Months after this one: what is committed if "
                          "nothing changes.",
    "rep_month_line": "{month}  {amount}  ({before} a year earlier{change})",
    "rep_top_vendors": "*Top vendors by annual spend* ({currency})",
    "rep_no_value": "No contract has an annual value yet: add `value:` to contracts to see the trajectory.",
    "rep_chart_title": "Committed annual spend by month",
    "rep_chart_year_before": "a year earlier",
    "rep_chart_now": "this month",
    "rep_chart_file": "Financial trajectory chart",
    "err_bad_report_period": "I can't read the period “{text}”. Try `last 12 months`, `this quarter`, `2026`, "
                             "`last month`, `2026-03`, `Q1 2026` or `mars 2026`.",
    # digest
    "dg_title": "Weekly digest, week {week}",
    "dg_decisions": "*Decisions due in the next 30 days* ({n})",
    "dg_decisions_none": "No decision due in the next 30 days.",
    "dg_decision_line": "{overdue}*{ref}* {title} — {vendor} · act by {act_by} ({days}) · {value}",
    "dg_tacit": "*Tacit renewals last week* ({n})",
    "dg_tacit_none": "No tacit renewal last week.",
    "dg_tacit_line": "*{ref}* {title} — renewed until {end} · {value}",
    "dg_sla": "*SLA breaches last week* ({n}) · credits due this month so far: {credits}",
    "dg_sla_none": "No SLA breach last week · credits due this month so far: {credits}",
    "dg_sla_line": "INC-{id} {priority} *{ref}* {summary}",
    "dg_disputes": "*Open disputes, oldest first* ({n}) · at stake {stake}",
    "dg_disputes_none": "No open dispute.",
    "dg_dispute_line": "DSP-{id} *{ref}* {summary} — {status} · {days} days old · {amount}",
    "dg_more": "… and {n} more: `{command}`",
    "dg_indicators": "*Indicators, last 12 months* (see `/contract report`)",
    "dg_trend": "*Committed annual spend* ({currency}): {now} this month ({before} a year earlier); {later} in 12 months if nothing changes",
    # App Home
    "home_title": "Your contracts",
    "home_decisions": "*Your decisions due in the next 30 days* ({n})",
    "home_decisions_none": "Nothing of yours to decide in the next 30 days.",
    "home_disputes": "*Open disputes on your contracts* ({n})",
    "home_disputes_none": "No open dispute on your contracts.",
    "home_incidents": "*Open incidents on your contracts* ({n})",
    "home_incidents_none": "No open incident on your contracts.",
    "home_incident_line": "INC-{id} {priority} *{ref}* {summary} — since {since}",
    "home_portfolio": "Portfolio indicators, last 12 months",
    "rep_obligations": "*Obligations met:* {on_time} on time · {late} late",
    "rep_obligations_how": "obligations marked done (`/obligation done`) in the period; on time = done on or before "
                           "the due date; waived ones are not counted",
    "rep_revisions": "*Price revisions applied:* {n} · effect on the annual spend {effect}",
    "rep_revisions_how": "revisions applied with `/contract revise <REF> apply` taking effect in the period; effect "
                         "= revised annual value − the value before, added up per currency",
    "dg_obligations": "*Obligations overdue or due in the next 30 days* ({n})",
    "dg_obligations_none": "No obligation overdue or due in the next 30 days.",
    "dg_obligation_line": "{overdue}OBL-{id} *{ref}* {what} — due {due} ({days})",
    "dg_revisions": "*Price revisions due in the next 30 days* ({n})",
    "dg_revisions_none": "No price revision due in the next 30 days.",
    "dg_revision_line": "*{ref}* {title} — {index} revision on {on}: {change}",
    "dg_revision_change": "{before} → {after}",
    "dg_revision_missing": "{before}, index value missing ({missing})",
    "home_obligations": "*Your obligations overdue or due in the next 30 days* ({n})",
    "home_obligations_none": "No obligation of yours due in the next 30 days.",
}
