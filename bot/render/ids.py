"""action_id, callback_id and block_id values, in one place (not literals repeated in two files)."""

from enum import StrEnum


class ActionId(StrEnum):
    SHOW_CONTRACT = "contract_show"
    ALERT_ACK = "alert_ack"
    ALERT_SNOOZE = "alert_snooze"
    ALERT_RENEWED = "alert_renewed"
    ALERT_GIVE_NOTICE = "alert_give_notice"
    SHOW_INCIDENT = "incident_show"
    DISPUTE_UPDATE = "dispute_update"
    DISPUTE_SNOOZE = "dispute_snooze"
    OBLIGATION_DONE = "obligation_done"
    OBLIGATION_SNOOZE = "obligation_snooze"
    REVISION_APPLY = "revision_apply"


class CallbackId(StrEnum):
    ADD_CONTRACT = "contract_add_modal"
    RENEW_CONTRACT = "contract_renew_modal"
    DISPUTE_UPDATE = "dispute_update_modal"
    OBLIGATION_DONE = "obligation_done_modal"


class BlockId(StrEnum):
    """The inputs of the forms: each is also its element's action_id, and the key the submission is read
    by (`submitted_values`); a contract field's block is named like its `/contract add` option."""

    REFERENCE = "reference"
    TITLE = "title"
    VENDOR = "vendor"
    END = "end"
    START = "start"
    TYPE = "type"
    RENEWAL = "renewal"
    NOTICE = "notice"
    TERM = "term"
    LEAD = "lead"
    VALUE = "value"
    CURRENCY = "currency"
    OWNER = "owner"
    CHANNEL = "channel"
    UNTIL = "until"
    NOTE = "note"
    STATUS = "status"
    EVIDENCE = "evidence"
