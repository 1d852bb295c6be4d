"""English messages. Every key here must exist in fr.py too (a test checks)."""

MESSAGES: dict[str, str] = {
    # generic
    "usage": "Usage",
    "examples": "Examples",
    "today": "today",
    "days_left": "{n} days left",
    "days_left_one": "1 day left",
    "days_overdue": "{n} days overdue",
    "overdue": "OVERDUE",
    "act_by": "act by",
    "ends": "ends",
    "deadline": "deadline",
    "n_days": "{n} days",
    "n_days_one": "1 day",
    "n_months": "{n} months",
    "n_months_one": "1 month",
    "n_years": "{n} years",
    "n_years_one": "1 year",
    "more_not_shown": "{n} more not shown — narrow the search, or use `/contract export`.",
    "internal_error": "Something went wrong on our side (reference {id}). Nothing was changed; please try again.",
    "unknown_command": "Unknown command {command}.",
    # types, statuses, renewal modes
    "type_license": "Licence", "type_saas": "SaaS", "type_maintenance": "Maintenance", "type_support": "Support",
    "type_tma": "Application maintenance (TMA)", "type_managed_services": "Managed services",
    "type_consulting": "Consulting", "type_hardware": "Hardware", "type_telecom": "Telecom", "type_cloud": "Cloud",
    "type_other": "Other",
    "status_draft": "draft", "status_negotiating": "negotiating", "status_active": "active",
    "status_notice_given": "notice given", "status_expired": "expired", "status_terminated": "terminated",
    "renewal_auto": "tacit renewal", "renewal_manual": "manual renewal", "renewal_none": "no renewal",
    "renewal_auto_term": "tacit renewal, {term} at a time",
    # card
    "f_vendor": "Vendor", "f_type_status": "Type · status", "f_term": "Start → end", "f_renewal": "Renewal",
    "f_notice": "Notice period", "f_act_by": "Act by", "f_value": "Annual value", "f_owner": "Owner",
    "lead_included": "includes {lead} internal lead time",
    "channel_line": "Alerts go to {channel} (else the alert channel).",
    # lists
    "list_title": "Contracts ({n})",
    "list_empty": "No contract matches.",
    "renewals_title": "Renewals and deadlines, {start} – {end}",
    "renewals_empty": "Nothing to decide in this window.",
    "pick_intro": "{n} contracts match “{query}”. Which one?",
    "not_found": "No contract found for “{query}”.",
    "closest": "Closest references: {refs}",
    "history_title": "History of {ref}",
    "export_done": "Here is the portfolio as CSV ({n} contracts), sent to you directly.",
    "action_create": "created", "action_amend": "amendment", "action_renew": "renewed",
    "action_terminate": "notice given / terminated", "action_tacit_renewal": "tacit renewal",
    "action_expired": "expired", "action_terminated": "terminated", "action_import_update": "updated by import",
    "action_snooze": "alerts snoozed", "action_acknowledge": "alert acknowledged", "action_active": "status",
    "action_negotiating": "status", "action_notice_given": "notice given",
    # confirmations
    "done_create": "*{ref}* {title} recorded by {user}.",
    "done_amend": "Amendment to *{ref}* {title} recorded by {user}:",
    "done_renew": "*{ref}* {title} renewed by {user}:",
    "done_terminate": "Notice recorded on *{ref}* {title} by {user}:",
    "dates_summary": "Ends {end} · notice deadline {notice} · act by {act_by} ({left}).",
    # alerts
    "alert_due": "{owner} {name}: decide by *{act_by}* — {left}.",
    "alert_overdue": "{owner} {name}: the act-by date *{act_by}* has passed — {left}.",
    "alert_auto": "It renews tacitly on {end} for {term} unless the notice reaches the vendor by {notice}.",
    "alert_ends": "It ends on {end}; the notice deadline is {notice}.",
    "alert_value": "Annual value: {value}.",
    "alert_acked": "Acknowledged by {user}.",
    "alert_snoozed": "Snoozed by {user} until {until}.",
    "alert_renewed": "Renewed by {user} until {end}.",
    "alert_notice_given": "Notice given by {user}; the contract ends on {end}.",
    "note_from_alert": "notice given from the deadline alert",
    "btn_ack": "Acknowledge", "btn_snooze": "Snooze 7 days", "btn_renewed": "Renewed", "btn_give_notice": "Give notice",
    "confirm_notice_title": "Give notice?",
    "confirm_notice_text": "This records that notice was sent: the contract will end and not renew.",
    "confirm_notice_yes": "Give notice", "confirm_notice_no": "Cancel",
    # modals
    "m_add_title": "Add a contract", "m_renew_title": "Renew the contract", "m_submit": "Save", "m_cancel": "Cancel",
    "m_reference": "Reference", "m_title": "Title", "m_vendor": "Vendor", "m_end": "End date",
    "m_start": "Start date", "m_type": "Type", "m_renewal": "Renewal", "m_notice": "Notice period",
    "m_term": "Renewal term", "m_lead": "Internal lead time", "m_value": "Annual value", "m_currency": "Currency",
    "m_owner": "Owner", "m_channel": "Alert channel", "m_until": "New end date", "m_renew_term": "Or extend by",
    "m_note": "Note",
    # errors
    "err_forbidden": "Only contract managers may change contracts (CONTRACTBOT_MANAGERS). Nothing was changed.",
    "err_missing_reference": "Which contract? Give its reference.",
    "err_unknown_reference": "No contract has the reference “{ref}”.",
    "err_unknown_reference_closest": "No contract has the reference “{ref}”. Closest references: {refs}.",
    "err_duplicate_reference": "A contract with the reference “{ref}” already exists.",
    "err_nothing_to_amend": "Nothing to amend: give at least one field, e.g. `end:2028-03-31` or `value:130k`.",
    "err_no_change": "{ref} already has these values: no amendment recorded.",
    "err_option_not_here": "The option `{option}:` does not apply here.",
    "err_unexpected": "I did not understand “{text}”.",
    "err_until_or_term": "Give either `until:` or `term:`, not both.",
    "err_renew_not_later": "The new end must be after the current end ({end}) of {ref}.",
    "err_already_closed": "{ref} is already {status}.",
    "err_bad_window": "“{text}” is not a window I can read (try `next 30 days`, `this quarter`, `before 2027-06-30`, `in March`).",
    "err_form_expired": "This form is out of date: open it again from the alert or with `/contract renew`. Nothing was changed.",
    "err_alert_gone": "This alert no longer exists.",
    "err_bad_reference": "“{value}” is not a valid reference (no spaces, at most 64 characters).",
    "err_too_long": "`{field}` is too long.",
    "err_text_too_long": "The text is too long (more than {limit} characters).",
    "err_bad_type": "“{value}” is not a contract type. Types: license, saas, maintenance, support, tma, managed_services, consulting, hardware, telecom, cloud, other.",
    "err_bad_status": "“{value}” is not a status. Statuses: draft, negotiating, active, notice_given, expired, terminated.",
    "err_bad_renewal": "“{value}” is not a renewal mode: auto, manual or none.",
    "err_bad_date": "`{field}`: “{value}” is not a date I can read (e.g. 2027-03-31, 31/03/2027, 31 mars 2027, in 6 months).",
    "err_bad_duration": "`{field}`: “{value}” is not a duration (e.g. 90d, 3mo, 1y, 2w).",
    "err_calendar_duration": "`{field}`: “{value}” must be in days, weeks, months or years.",
    "err_zero_term": "`{field}`: a renewal term must be at least one day.",
    "err_bad_money": "`{field}`: “{value}” is not an amount (e.g. 120000, 120k, \"120 000 €\").",
    "err_bad_currency": "`{field}`: “{value}” is not a currency code (e.g. EUR, USD).",
    "err_bad_user": "`{field}`: “{value}” is not a Slack user (mention them: @name).",
    "err_bad_channel": "`{field}`: “{value}” is not a Slack channel (mention it: #channel).",
    "err_end_before_start": "The end date ({value}) is before the start date.",
    "err_required": "`{field}` is required.",
    "err_unknown_option": "Unknown option `{field}:`.",
    "err_duplicate_option": "The option `{option}:` is given twice.",
    "err_unbalanced_quotes": "A quote is not closed.",
    "csv_missing_columns": "missing column(s): {columns}",
    "csv_unknown_columns": "unknown column(s): {columns}",
    "csv_too_many_cells": "more cells than columns",
    "csv_duplicate": "reference {ref} already appears on line {line}",
    # usage and examples
    "usage_contract": (
        "`/contract status <reference | vendor | words of the title> [public]`\n"
        "`/contract list [vendor:…] [status:…] [type:…] [owner:@user] [disputes:open]`\n"
        "`/contract add <REF> title:… vendor:… end:<date> [start:<date>] [type:…] [notice:<dur>] "
        "[renewal:auto|manual|none] [term:<dur>] [lead:<dur>] [value:<money>] [currency:…] [owner:@user] "
        "[channel:#channel]` — or `/contract add` alone for a form\n"
        "`/contract amend <REF> [end:…] [value:…] [notice:…] … note:\"…\"`\n"
        "`/contract renew <REF> [until:<date> | term:<dur>] [note:…]`\n"
        "`/contract terminate <REF> [on:<date>] [note:…]`\n"
        "`/contract history <REF>` · `/contract export`\n"
        "`/contract report [period]` — the portfolio's indicators (default: the last 12 months)\n"
        "`/contract indexation <REF> index:<NAME> base:<YYYY-MM> [fixed:<0..1>] [lag:<months>] [mode:base|chained] "
        "…` — the price revision clause (`/contract indexation help` for all options)\n"
        "`/contract revise <REF> [at:<date>] [apply]` — the price revision step by step; `apply` records it"
    ),
    "examples_contract": (
        "`/contract status CTR-2024-001` · `/contract oracle` · `/contract list vendor:Microsoft status:active`\n"
        "`/contract add CTR-2027-010 title:\"Oracle DB support\" vendor:Oracle end:2027-12-31 notice:3mo "
        "renewal:auto term:1y value:120k owner:@marie`\n"
        "`/contract amend CTR-2027-010 value:135k note:\"avenant n°2: +10 licences\"`\n"
        "`/contract report this quarter` · `/contract indexation CTR-CAP-001 index:syntec base:2023-09 fixed:0.15` · "
        "`/contract revise CTR-CAP-001`"
    ),
    "usage_renewals": "`/renewals [window] [public]` — windows: `next 30 days` (default 90 days), `this quarter`, "
                      "`before 2027-06-30`, `in March`, `d'ici 3 mois`",
    "examples_renewals": "`/renewals` · `/renewals next 30 days` · `/renewals this quarter` · `/renewals en mars`",
    "usage_incident": ("`/incident <contract> <P1|P2|P3|P4> <summary> [since:<time>]`\n"
                       "`/incident ack INC-<n> [at:<time>]` · `/incident resolve INC-<n> [at:<time>] [note:…]`\n"
                       "`/incident list [contract] [open|all]` · `/incident show INC-<n>`"),
    "examples_incident": "`/incident CTR-2024-001 P1 \"ERP down\"`",
    "dm_help": "I answer questions about contracts, e.g. “when does the Oracle contract end?”, “what renews next "
               "month?”, “quels contrats arrivent à échéance en mars ?”, “open disputes for Oracle”, “overdue "
               "obligations”. Slash commands: /contract, /renewals, /incident, /dispute, /obligation, /index.",
    "dm_help_intro": "I answer questions about your IT contracts, in English or French.",
    "dm_help_examples": "Try: “when does the Oracle contract end?” · “what renews next month?” · "
                        "“quels contrats arrivent à échéance en mars ?” · “open disputes for Oracle” · “litiges en "
                        "cours” · “overdue obligations for Orange” · “obligations à venir” · or `/contract help`, "
                        "`/renewals help`, `/dispute help`, `/obligation help`.",
    # incidents and SLAs
    "clock_24x7": "24x7", "clock_business": "business hours",
    "inc_no_sla": "No SLA is set for {priority} on this contract: the incident is recorded without SLA clocks.",
    "inc_response_due": "Response ({target}, {clock}) due *{due}*.",
    "inc_resolution_due": "Resolution ({target}, {clock}) due *{due}*.",
    "inc_recorded": "*{number}* {priority} recorded on *{ref}* {title} by {user}, opened {opened}: {summary}",
    "inc_acked": "*{number}* ({ref}) acknowledged at {at} by {user}.",
    "inc_resolved": "*{number}* ({ref}) resolved at {at} by {user}.",
    "inc_response_outcome": "Response target: {outcome}.",
    "inc_resolution_outcome": "Resolution target: {outcome}.",
    "outcome_met": "met", "outcome_breached": "BREACHED", "outcome_pending": "running",
    "f_status": "Status", "f_opened": "Opened", "f_acked": "Acknowledged", "f_resolved": "Resolved",
    "inc_status_open": "open", "inc_status_acknowledged": "acknowledged", "inc_status_resolved": "resolved",
    "inc_list_open": "Open incidents ({n}){ref}", "inc_list_all": "Incidents ({n}){ref}",
    "inc_list_empty": "No incident.",
    "inc_overdue": "resolution OVERDUE since {due}", "inc_due_short": "resolution due {due}",
    "inc_opened_short": "opened {at}",
    "sla_alert_at_risk": "{owner} *{number}* {priority} on *{ref}* {title}: the {target} target is AT RISK (75 % used) — due {due}.\n{summary}",
    "sla_alert_breached": "{owner} *{number}* {priority} on *{ref}* {title}: the {target} target is BREACHED — it was due {due}.\n{summary}",
    "target_response": "response", "target_resolution": "resolution",
    "btn_open_incident": "Open {number}",
    "sla_title": "SLA — {ref} {title} — {period}",
    "sla_period": "Period: {start} → {end} (incidents opened in the period).",
    "sla_line": "*{priority}*: {n} incident(s) · response {rmet} met, {rbreach} breached · resolution {smet} met, {sbreach} breached",
    "sla_line_credit": "credit: {n} breached incident(s) × {pct} × monthly fee {fee} = *{amount}*",
    "sla_line_no_credit": "no credit % set for this priority",
    "sla_no_incidents": "No incident in the period.",
    "sla_availability": "*Availability*: {pct} — {down} min of P1 downtime over {total} min.",
    "sla_availability_target": "Target {target}.",
    "sla_availability_credit": "below target: credit {pct} × monthly fee {fee} = *{amount}*",
    "sla_no_value": "No annual value on the contract: credits cannot be computed.",
    "sla_fee": "Monthly fee = annual value {annual} / 12 = {fee}.",
    "sla_total": "Credits before cap: {total}.",
    "sla_cap": "Cap {pct} of the monthly fee = {cap}.",
    "sla_capped": "(capped)",
    "sla_due": "*Service credits due: {amount}*",
    "sla_not_set": "No SLA is set for {ref}.",
    "sla_terms_title": "SLA terms of {ref}",
    "sla_term_line": "*{priority}*: response {response}, resolution {resolution}, {clock} clock, credit {credit} per breached incident",
    "sla_policy_line": "Availability target {target}, credit {credit} when below; cap {cap} of the monthly fee",
    "sla_cap_line": "Cap {cap} of the monthly fee",
    "sla_no_breaches": "No breach in the period.",
    "sla_breaches_title": "SLA breaches ({n}) — {period}",
    "card_sla_none": "no SLA set",
    "card_sla_month": "{n} incident(s), {breached} breached, availability {availability}",
    "card_sla_credits": "credits due {amount}",
    "f_open_incidents": "Open incidents", "f_sla_month": "SLA this month",
    "action_sla_set": "SLA terms set",
    "time_since": "the start", "time_ack": "the acknowledgement", "time_resolve": "the resolution",
    "err_bad_time": "`{field}`: “{value}” is not a time I can read (e.g. 2026-11-23 14:30, yesterday 14:00, hier 14h, 2h ago).",
    "err_missing_incident": "Which incident? Give its number, e.g. INC-12.",
    "err_unknown_incident": "There is no incident {number}.",
    "err_incident_usage": "Give the contract, the priority (P1 to P4) and a summary.",
    "err_bad_priority": "“{value}” is not a priority: P1, P2, P3 or P4.",
    "err_time_in_future": "The time of {what} is in the future.",
    "err_time_before": "The time of {what} is before {other}.",
    "err_ack_after_resolve": "The acknowledgement would be after the resolution ({resolved}).",
    "err_already_acked": "This incident was already acknowledged at {at}.",
    "err_already_resolved": "This incident was already resolved at {at}.",
    "err_resolve_before_ack": "The resolution would be before the acknowledgement ({acked}).",
    "err_ambiguous_contract": "“{text}” matches several contracts ({refs}): give the reference.",
    "err_bad_pct": "`{field}`: “{value}” is not a percentage between 0 and 100.",
    "err_bad_target": "`{field}`: “{value}” is not an SLA target (e.g. 30min, 4h, 2bd).",
    "err_sla_set_needs_targets": "Give both `response:` and `resolve:` targets.",
    "err_bad_clock": "“{value}” is not a clock: 24x7 or business.",
    "err_sla_set_usage": "Give a priority with targets, or `availability:`, `credit:` and `cap:`.",
    "err_bad_period": "“{text}” is not a period I can read (try `this month`, `last month`, `2026-10`, `March`, `last 30 days`).",
    "usage_sla": (
        "`/sla <contract> [period]` — compliance and service credits (default this month)\n"
        "`/sla set <contract> <P1..P4> response:<dur> resolve:<dur> [clock:24x7|business] [credit:<pct>]`\n"
        "`/sla set <contract> availability:<pct> [credit:<pct>] [cap:<pct>]`\n"
        "`/sla terms <contract>` · `/sla breaches [window]`"
    ),
    "examples_sla": "`/sla CTR-OBS-001 last month` · `/sla set CTR-OBS-001 P1 response:30min resolve:4h clock:24x7 credit:5` · `/sla set CTR-OBS-001 availability:99.9 credit:10 cap:15` · `/sla breaches last 30 days`",
    "not_yet": "{command} is not available in this version of contractbot yet. Nothing was recorded.",
}
