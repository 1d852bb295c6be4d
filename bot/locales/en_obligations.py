"""English messages for the obligations feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "usage_obligation": (
        "`/obligation add <contract> <what> due:<date> [every:<dur>] [owner:<@user>] [party:vendor|us] "
        "[evidence:required]`\n"
        "`/obligation done OBL-<n> [evidence:<link or text>] [note:…]` · `/obligation waive OBL-<n> note:…`\n"
        "`/obligation list [contract] [due|overdue|all] [public]` · `/obligation show OBL-<n> [public]`"),
    "examples_obligation": (
        "`/obligation add CTR-2024-001 \"Insurance certificate\" due:2027-01-31 every:1y evidence:required`\n"
        "`/obligation add CTR-2024-001 \"Disaster recovery test\" due:\"in 3 months\" owner:@ann party:us`\n"
        "`/obligation done OBL-12 evidence:https://intranet/certificates/2027.pdf`\n"
        "`/obligation waive OBL-12 note:\"Covered by the group policy\"` · `/obligation list overdue`"),
    # errors
    "err_obl_usage": "Give the contract, what must be done, and `due:<date>`.",
    "err_obl_missing_due": "When is it due? Add `due:<date>`, e.g. `due:2027-03-31`.",
    "err_obl_bad_due": "I cannot read the due date “{value}”. Try `2027-03-31`, `31/03/2027` or `in 3 months`.",
    "err_obl_bad_every": "“{value}” is not a recurrence: use days, weeks, months or years, e.g. `every:1y`, "
                         "`every:6mo`.",
    "err_obl_bad_party": "`party:` is `vendor` (the vendor must do it) or `us` (we must).",
    "err_obl_bad_evidence_flag": "On `add`, `evidence:` only takes `required`.",
    "err_obl_bad_owner": "`owner:` is a Slack user, e.g. `owner:@ann`.",
    "err_obl_missing_number": "Which obligation? Give its number, e.g. `OBL-12`.",
    "err_obl_unknown": "There is no obligation {number}. `/obligation list` shows them.",
    "err_obl_closed": "{number} is already {status}: nothing was changed.",
    "err_obl_evidence_required": "{number} needs evidence: add `evidence:<link or text>`. Nothing was changed.",
    "err_obl_waive_needs_note": "Say why it is waived: `note:\"…\"`. Nothing was changed.",
    "err_obl_forbidden": "Only contract managers and the obligation's owner may change {number}. Nothing was changed.",
    "err_obl_add_forbidden": "Only contract managers and the contract's owner may add obligations to {ref}. "
                             "Nothing was changed.",
    "err_obl_too_long": "What must be done is too long (at most {limit} characters).",
    # statuses and parties
    "obl_status_pending": "pending", "obl_status_due_soon": "due soon", "obl_status_overdue": "overdue",
    "obl_status_fulfilled": "fulfilled", "obl_status_waived": "waived",
    "obl_party_vendor": "vendor", "obl_party_us": "us",
    "obl_every": "every {every}", "obl_once": "once",
    "obl_evidence_required": "evidence required", "obl_evidence_optional": "evidence optional",
    # confirmations
    "obl_added": "{user} added *{number}* to *{ref}* · {title}: {what} — due {due} ({left}), {every}.",
    "obl_done": "{user} marked *{number}* done ({ref}: {what}).",
    "obl_done_next": "{user} marked *{number}* done for {was} ({ref}: {what}). Next due {due} ({left}).",
    "obl_waived": "{user} waived *{number}* ({ref}: {what}): _{note}_",
    "obl_evidence_line": "Evidence: {evidence}",
    # list and card
    "obl_list_open": "Obligations to do{ref} ({n})", "obl_list_due": "Obligations due soon or overdue{ref} ({n})",
    "obl_list_overdue": "Overdue obligations{ref} ({n})", "obl_list_all": "All obligations{ref} ({n})",
    "obl_list_empty": "No obligations here.",
    "obl_line": "*{number}* {status} · {ref} · {what} · due {due} ({left}) · {owner}",
    "f_obl_contract": "Contract", "f_obl_due": "Due", "f_obl_every": "Recurrence", "f_obl_owner": "Owner",
    "f_obl_party": "Who must do it", "f_obl_evidence": "Evidence", "f_obl_status": "Status",
    "obl_history": "History", "obl_fulfilments": "Done",
    "obl_fulfilment_line": "due {due} · done {done} by {user}{evidence}",
    "obl_snoozed_line": "Alerts snoozed by {user} until {until}.",
    "f_next_obligation": "Next obligation", "f_overdue_obligations": "Overdue obligations",
    "card_obl_none": "none", "card_obl_next": "{number} {what} · {due} ({left})",
    # history actions
    "action_obligation_add": "obligation added", "action_obligation_done": "obligation done",
    "action_obligation_waive": "obligation waived", "action_obligation_snooze": "obligation alerts snoozed",
    # alerts
    "obl_alert_due": "{owner} *{number}* · {what} — on *{ref} · {title}*: due {due} ({left}).",
    "obl_alert_overdue": "{owner} *{number}* · {what} — on *{ref} · {title}*: was due {due} ({left}).",
    "obl_alert_party_vendor": "The vendor must deliver it: ask for it and record it with the Done button.",
    "obl_alert_party_us": "It is ours to do.",
    "obl_alert_evidence": "Evidence is required when it is marked done.",
    "obl_alert_done": "Done by {user}.",
    "obl_alert_waived": "Waived by {user}.",
    "btn_obl_done": "Done", "btn_obl_snooze": "Snooze 7 days",
    "obl_snoozed_until": "Snoozed by {user} until {until}.",
    "m_obl_done_title": "Obligation done", "m_obl_evidence": "Evidence (a link or a few words)",
    "m_obl_evidence_hint": "{number}: {what}", "m_obl_note": "Note",
    "obl_job_failed": "{number}: could not be handled ({error}); the other obligations went out.",
}
