"""English messages for the disputes feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "dsp_status_open": "open", "dsp_status_negotiating": "negotiating", "dsp_status_escalated": "escalated",
    "dsp_status_mediation": "mediation", "dsp_status_litigation": "litigation", "dsp_status_settled": "settled",
    "dsp_status_closed": "closed",
    "dsp_opened": "*{number}* opened on *{ref}* {title} by {user}: {summary}",
    "dsp_amounts": "Claimed {claimed} · recovered {recovered}",
    "dsp_written_off": "written off {amount}",
    "dsp_incidents": "Linked incidents: {numbers}",
    "dsp_no_incidents": "No linked incident.",
    "dsp_from_sla": "Claimed from the service credits due for {start} – {end}:",
    "dsp_credit_incidents": "{priority}: {n} breached incident(s) × {credit_pct} × monthly fee {monthly_fee} = {amount}",
    "dsp_credit_availability": "availability {availability} below the target {target}: {credit_pct} × monthly fee {monthly_fee} = {amount}",
    "dsp_credit_cap": "capped at {cap_pct} of the monthly fee: {before_cap} → {amount}",
    "dsp_done_move": "*{number}* ({ref}): {before} → *{after}*, by {user}.",
    "dsp_done_reopen": "*{number}* ({ref}) reopened by {user}.",
    "dsp_done_note": "Update recorded on *{number}* ({ref}, {after}) by {user}.",
    "dsp_done_close": "*{number}* ({ref}) closed by {user}.",
    "dsp_outcome": "Outcome: {outcome}",
    "dsp_field_status": "status", "dsp_field_summary": "summary", "dsp_field_amount_claimed": "claimed",
    "dsp_field_incidents": "incidents", "dsp_field_from_sla": "from the SLA credits of",
    "dsp_field_outcome": "outcome", "dsp_field_amount_recovered": "recovered",
    "dsp_field_amount_written_off": "written off", "dsp_field_reminder_snoozed_until": "reminder snoozed until",
    "action_dispute_open": "dispute opened", "action_dispute_update": "dispute status changed",
    "action_dispute_close": "dispute closed", "action_dispute_reopen": "dispute reopened",
    "action_dispute_note": "dispute update", "action_dispute_snooze": "dispute reminder snoozed",
    "dsp_f_claimed": "Claimed (at stake)", "dsp_f_recovered": "Recovered", "dsp_f_written_off": "Written off",
    "dsp_f_outcome": "Outcome", "dsp_f_last_change": "Last change",
    "dsp_timeline": "Timeline",
    "dsp_list_open": "Open disputes ({n}){ref}", "dsp_list_all": "Disputes ({n}){ref}",
    "dsp_list_empty": "No dispute.",
    "dsp_totals": "Total claimed {claimed} · recovered {recovered}",
    "dsp_age": "opened {opened} · last change {days} day(s) ago",
    "dsp_f_open_disputes": "Open disputes",
    "dsp_card_open": "{n} · {amount} at stake",
    "dsp_stale": "{user} *{number}* on *{ref}* {title} has had no update for {days} days (since {last}); status "
                 "{status}, claimed {claimed}.\n{summary}",
    "dsp_btn_update": "Add an update",
    "dsp_reminder_snoozed": "Snoozed by {user} until {until}.",
    "dsp_reminder_updated": "Update recorded by {user}.",
    "dsp_m_title": "Update the dispute", "dsp_m_status": "New status (optional)",
    "dsp_m_intro": "*{number}* ({ref}) is {status}. What happened?",
    "usage_dispute": (
        "`/dispute open <contract> <summary> [amount:<money>] [incident:INC-<n>] [from:sla [period:<period>]]`\n"
        "`/dispute update DSP-<n> <status> [note:…]` — statuses: open, negotiating, escalated, mediation, "
        "litigation, settled, closed\n"
        "`/dispute close DSP-<n> <outcome> [recovered:<money>] [force]`\n"
        "`/dispute list [contract] [open|all]` · `/dispute show DSP-<n>`"
    ),
    "examples_dispute": (
        "`/dispute open CTR-OBS-001 \"WAN outages not credited\" amount:12k incident:INC-4`\n"
        "`/dispute open CTR-OBS-001 \"October credits\" from:sla period:\"last month\"`\n"
        "`/dispute update DSP-3 escalated note:\"steering committee on 12 March\"`\n"
        "`/dispute close DSP-3 \"credit note received\" recovered:9k` · `/dispute list Oracle all`"
    ),
    "err_dispute_verb": "“{text}” is not a /dispute verb: open, update, close, list or show.",
    "err_dispute_missing": "Which dispute? Give its number, e.g. DSP-3.",
    "err_dispute_unknown": "There is no dispute {number}.",
    "err_dispute_currency": "`{field}`: the amount is in {currency} but the contract is in {expected}.",
    "err_dispute_open_usage": "Give the contract and a summary of the dispute.",
    "err_dispute_from": "`from:{value}` is not known: only `from:sla` (the service credits due).",
    "err_dispute_period_without_sla": "`period:` applies only with `from:sla`.",
    "err_dispute_amount_and_sla": "Give either `amount:` or `from:sla` (which computes the amount), not both.",
    "err_dispute_bad_status": "“{value}” is not a dispute status: open, negotiating, escalated, mediation, "
                              "litigation, settled or closed.",
    "err_dispute_close_usage": "Give the outcome, e.g. `/dispute close DSP-3 \"credit note received\" recovered:9k`.",
    "err_dispute_move": "A dispute cannot move from {before} to {after}. Allowed from {before}: {allowed}.",
    "err_dispute_reopen_note": "Reopening a closed dispute needs a reason: add `note:\"…\"`.",
    "err_dispute_recovered_above": "The amount recovered ({recovered}) is above the amount claimed ({claimed}); "
                                   "add `force` if that is right.",
    "err_dispute_update_nothing": "Give a new status, or a `note:`.",
    "err_dispute_incident_elsewhere": "{number} is not an incident of {ref}.",
    "err_dispute_sla_no_value": "{ref} has no annual value: service credits cannot be computed.",
    "err_dispute_sla_nothing_due": "No service credit is due on {ref} for {start} – {end}: nothing to claim.",
    "err_dispute_not_yours": "Only the contract's owner or a contract manager may act on this reminder.",
    "err_list_disputes_filter": "`disputes:{value}`: only `disputes:open` lists the contracts with open disputes.",
}
