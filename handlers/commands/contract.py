"""/contract: status (the default verb), list, add, amend, renew, terminate, history, export, help."""

from __future__ import annotations

from bot import grammar
from bot.contract_input import ContractFields, read_contract_fields, read_date, read_renewal
from bot.csv_io import export_contracts
from bot.i18n import t
from bot.render import contracts as render
from bot.render import disputes as render_disputes
from bot.render import obligations as render_obligations
from bot.render import revisions as render_revisions
from bot.render import sla as render_sla
from bot.render.common import help_message, notice
from bot.render.modals import add_contract_modal
from handlers.commands import revision
from handlers.commands.common import find_contract, no_extra_words, only_options, take_public
from handlers.commands.report import report
from handlers.errors import UserError
from handlers.reply import Reply, require_manager
from handlers.runtime import Caller, Runtime
from storage import audit, contracts, disputes, obligations
from storage import revisions as revision_store
from storage.sla_reports import card_summary as sla_card_summary

NAME = "/contract"
FIELD_OPTIONS = {"title", "vendor", "end", "start", "type", "notice", "renewal", "term", "lead", "value", "currency",
                 "owner", "channel", "status"}
OPTIONS = frozenset(FIELD_OPTIONS | {"note", "until", "on", "disputes"})
VERBS = {"status", "list", "add", "amend", "renew", "terminate", "history", "export", "help", "aide", "statut",
         "liste", "report", "rapport"}


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    parsed = grammar.parse(text, OPTIONS)
    verb = parsed.words[0].lower() if parsed.words else "help"
    if verb in revision.VERBS:  # price revision: its own options and usage (handlers/commands/revision.py)
        return revision.run(rt, caller, text)
    if verb in VERBS:
        parsed.pop_word()
    else:
        verb = "status"
    if verb in ("help", "aide") or (verb == "status" and not parsed.words and not parsed.options):
        return Reply(help_message(caller.lang, NAME))
    handler = {"status": status, "statut": status, "list": list_, "liste": list_, "add": add, "amend": amend,
               "renew": renew, "terminate": terminate, "history": history, "export": export,
               "report": report, "rapport": report}[verb]
    if verb in ("add", "amend", "renew", "terminate"):
        require_manager(rt, caller)
    return handler(rt, caller, parsed)


def _defaults(rt: Runtime) -> contracts.Defaults:
    return contracts.Defaults(currency=rt.settings.currency, lead=rt.settings.default_lead)


def _today(rt: Runtime):
    return rt.now().astimezone(rt.settings.tz).date()


def status(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    query = parsed.rest
    with rt.session_factory.begin() as session:
        found = contracts.search(session, query=query)
        if len(found.contracts) == 1:
            contract = found.contracts[0]
            summary = sla_card_summary(session, contract=contract, now=rt.now(), tz=rt.settings.tz)
            open_disputes = disputes.open_summary(session, contract_id=contract.id)
            duties = obligations.card_summary(session, contract_id=contract.id, today=_today(rt))
            message = render.card(caller.lang, contract, today=_today(rt),
                                  extra=render_sla.card_fields(caller.lang, summary)
                                  + render_disputes.card_fields(caller.lang, open_disputes, contract.currency)
                                  + render_obligations.card_fields(caller.lang, duties, today=_today(rt))
                                  + render_revisions.card_fields(
                                      caller.lang, revision_store.get_clause(session, contract_id=contract.id)))
        elif found.contracts:
            message = render.pick_list(caller.lang, query, found.contracts, found.total)
        else:
            message = render.not_found(caller.lang, query, found.suggestions)
    return Reply(message, public=public)


def list_(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, {"vendor", "status", "type", "owner", "disputes"})
    no_extra_words(parsed)
    with_disputes = parsed.options.pop("disputes", None)
    if with_disputes is not None and with_disputes.lower() not in ("open", "ouverts", "en_cours"):
        raise UserError("err_list_disputes_filter", value=with_disputes[:40])
    values = read_contract_fields({k: v for k, v in parsed.options.items() if k != "vendor"}, tz=rt.settings.tz,
                                  now=rt.now())
    with rt.session_factory.begin() as session:
        rows, total = contracts.get_all(session, vendor=parsed.options.get("vendor"), status=values.status,
                                        type_=values.type, owner=values.owner,
                                        among=disputes.contracts_with_open_disputes() if with_disputes else None)
        message = render.contract_list(caller.lang, rows, total, today=_today(rt))
    return Reply(message, public=public)


def add(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    if not parsed.words and not parsed.options:
        if caller.trigger_id:
            return Reply(view=add_contract_modal(caller.lang))
        raise UserError("err_missing_reference")
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, FIELD_OPTIONS)
    values = read_contract_fields({"reference": reference or "", **parsed.options}, tz=rt.settings.tz, now=rt.now())
    return create_contract(rt, caller, values)


def create_contract(rt: Runtime, caller: Caller, values: ContractFields) -> Reply:
    """Shared by `/contract add` and the add modal."""
    now = rt.now()
    with rt.session_factory.begin() as session:
        try:
            contract = contracts.create(session, values=values, defaults=_defaults(rt), actor=caller.user_id, now=now)
        except contracts.DuplicateReference:
            raise UserError("err_duplicate_reference", ref=values.reference) from None
        message = render.changed(caller.lang, "create", contract, {}, caller.user_id, today=_today(rt))
    return Reply(message, public=True)


def amend(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, FIELD_OPTIONS | {"note"})
    note = parsed.options.pop("note", None)
    if not parsed.options:
        raise UserError("err_nothing_to_amend")
    values = read_contract_fields(parsed.options, tz=rt.settings.tz, now=rt.now())
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        amendment = contracts.amend(session, contract=contract, values=values, note=note, actor=caller.user_id,
                                    now=rt.now())
        if amendment is None:
            raise UserError("err_no_change", ref=contract.reference)
        changes = {k: tuple(v) for k, v in amendment.changes.items()}
        message = render.changed(caller.lang, "amend", contract, changes, caller.user_id, today=_today(rt))
    return Reply(message, public=True)


def renew(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, {"until", "term", "note"})
    until, term = read_renewal(parsed.options, tz=rt.settings.tz, now=rt.now())
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        try:
            changes = contracts.renew(session, contract=contract, until=until, term=term,
                                      note=parsed.options.get("note"), actor=caller.user_id, now=rt.now())
        except contracts.ContractRuleError as exc:
            raise UserError("err_renew_not_later", ref=contract.reference, end=str(exc.details["end"])) from None
        message = render.changed(caller.lang, "renew", contract, changes, caller.user_id, today=_today(rt))
    return Reply(message, public=True)


def terminate(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, {"on", "note"})
    on = read_date("on", parsed.options["on"], tz=rt.settings.tz, now=rt.now()) if "on" in parsed.options else None
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        try:
            changes = contracts.terminate(session, contract=contract, on=on, note=parsed.options.get("note"),
                                          actor=caller.user_id, now=rt.now(), today=_today(rt))
        except contracts.ContractRuleError as exc:
            raise UserError("err_already_closed", ref=contract.reference, status=exc.details["status"]) from None
        message = render.changed(caller.lang, "terminate", contract, changes, caller.user_id, today=_today(rt))
    return Reply(message, public=True)


def history(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    reference = parsed.pop_word()
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        events = sorted([*audit.get_all(session, entity_type="contract", entity_id=contract.id),
                         *disputes.contract_timeline(session, contract_id=contract.id)], key=lambda e: (e.at, e.id))
        message = render.history(caller.lang, contract, events, tz=rt.settings.tz)
    return Reply(message, public=public)


def export(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        text, count = export_contracts(session)
    day = _today(rt).isoformat()
    message = notice(t(caller.lang, "export_done", n=count))
    return Reply(message, file=(f"contracts-{day}.csv", text))
