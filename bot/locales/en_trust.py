"""English messages for the trust feature (merged into the en catalog by bot.i18n; keys must not repeat)."""

MESSAGES: dict[str, str] = {
    "err_reference_format": "“{value}” is not a valid reference: letters, digits and - _ . / : only, at most 64 "
                            "characters.",
    "err_date_out_of_range": "`{field}`: “{value}” is outside the dates I accept (1900 to 2200).",
    "err_duration_out_of_range": "`{field}`: “{value}” is too long: durations are at most 100 years.",
    "err_text_over_limit": "`{field}` is too long: at most {value} characters.",
    "err_option_too_long": "The value of `{option}:` is too long: at most {limit} characters. Nothing was changed.",
    "err_renew_out_of_range": "{ref} ends on {end}: renewing it would move its end past {max}, the last date I "
                              "accept. Nothing was changed; correct its end with `/contract amend {ref} end:…`.",
    "err_window_out_of_range": "“{text}” reaches outside the dates I accept (1900 to 2200).",
    "err_snooze_forbidden": "Only the contract's owner or a contract manager may snooze its alerts. Nothing was "
                            "changed.",
    "err_ack_forbidden": "Only the contract's owner or a contract manager may acknowledge this alert. Nothing was "
                         "changed.",
    "csv_cell_too_large": "a cell is longer than {limit} characters; the file was not read past this line.",
    "csv_unreadable": "this line cannot be read as CSV ({reason}); the file was not read past it.",
    # --- trust-http ---
    "http_unavailable": "The service is temporarily unavailable (the database cannot be reached). Nothing was changed; please try again in a few minutes.",
    "scale_group_header": "{count} contracts need a decision",
    "scale_group_more": "… and {count} more: `{command}` lists them all, most urgent first.",
    "scale_group_all": "`{command}` lists them, most urgent first.",
    "scale_group_owners": "Owners: {owners}",
}
