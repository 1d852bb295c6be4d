"""/dispute: open, update, close (writes, for managers), list, show, help.

Opening, escalating (escalated, mediation, litigation), closing and reopening are also posted in the
contract's channel (else CONTRACTBOT_ALERT_CHANNEL). Every change is in the dispute's timeline.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy.orm import Session

from bot import disputes as rules
from bot import grammar
from bot.dates import DateError, parse_period
from bot.i18n import t
from bot.money import MoneyError, parse_money
from bot.render import disputes as render
from bot.render.common import Message
from handlers.commands.common import contracts_matching, no_extra_words, only_options, resolve_contract, take_public
from handlers.commands.verbs import Verbs
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import disputes, incidents
from storage.models import Contract, Dispute

NAME = "/dispute"
OPTIONS = frozenset({"amount", "incident", "from", "period", "note", "recovered", "currency"})
MAX_SUMMARY = 1000
MAX_NOTE = 2000


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    return VERBS.run(rt, caller, text)


def _dispute(session: Session, number: str | None) -> Dispute:
    if not number:
        raise UserError("err_dispute_missing")
    dispute = disputes.get_by_number(session, number=number)
    if dispute is None:
        raise UserError("err_dispute_unknown", number=number[:40])
    return dispute


def _amount(parsed: grammar.Parsed, name: str, contract_currency: str) -> Decimal | None:
    if name not in parsed.options:
        return None
    text = parsed.options[name]
    try:
        amount, currency = parse_money(text)
    except MoneyError:
        raise UserError("err_bad_money", field=name, value=text[:80]) from None
    currency = currency or (parsed.options.get("currency") or "").upper() or contract_currency
    if currency != contract_currency:
        raise UserError("err_dispute_currency", field=name, currency=currency[:3], expected=contract_currency)
    return amount


def _text(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise UserError("err_too_long", field=field)
    return value


def _channel_posts(rt: Runtime, caller: Caller, contract: Contract, message: Message) -> list[tuple[str, Message]]:
    channel = contract.channel or rt.settings.alert_channel
    return [(channel, message)] if channel and channel != caller.channel_id else []


def _incident_numbers(text: str | None) -> list[int]:
    numbers = []
    for token in re.split(r"[,\s]+", (text or "").strip()):
        if not token:
            continue
        number = incidents.parse_number(token)
        if number is None:
            raise UserError("err_unknown_incident", number=token[:40])
        numbers.append(number)
    return numbers


def open_(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"amount", "incident", "from", "period", "currency"})
    if len(parsed.words) < 2:
        raise UserError("err_dispute_open_usage")
    reference, summary = parsed.words[0], _text(" ".join(parsed.words[1:]), "summary", MAX_SUMMARY)
    from_sla = parsed.options.get("from")
    if from_sla is not None and from_sla.lower() not in ("sla",):
        raise UserError("err_dispute_from", value=from_sla[:40])
    if "period" in parsed.options and from_sla is None:
        raise UserError("err_dispute_period_without_sla")
    if from_sla is not None and "amount" in parsed.options:
        raise UserError("err_dispute_amount_and_sla")
    now = rt.now()
    period = None
    if from_sla is not None:
        try:
            period = parse_period(parsed.options.get("period") or "last month", tz=rt.settings.tz, now=now)
        except DateError:
            raise UserError("err_bad_period", text=parsed.options.get("period", "")[:80]) from None
    numbers = _incident_numbers(parsed.options.get("incident"))
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, reference)
        amount = _amount(parsed, "amount", contract.currency)
        sla = None
        if period is not None:
            sla = disputes.sla_claim(session, contract=contract, start=period.start, end=period.end,
                                     first_day=period.first_day, last_day=period.last_day, now=now)
        dispute = disputes.create(session, contract=contract, summary=summary, amount_claimed=amount,
                                  incident_numbers=numbers, sla=sla, actor=caller.user_id, now=now)
        linked = disputes.linked_incidents(session, dispute_id=dispute.id)
        message = render.recorded(caller.lang, dispute, linked)
        posts = _channel_posts(rt, caller, contract, render.recorded(rt.settings.language, dispute, linked))
    return Reply(message, public=True, posts=posts)


def update(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"note"})
    number = parsed.pop_word()
    status_word = parsed.pop_word()
    no_extra_words(parsed)
    status = rules.read_status(status_word) if status_word else None
    if status_word and status is None:
        raise UserError("err_dispute_bad_status", value=status_word[:40])
    note = parsed.options.get("note") or None
    if note:
        _text(note, "note", MAX_NOTE)
    return apply_update(rt, caller, number, status, note)


def apply_update(rt: Runtime, caller: Caller, number: str | None, status: str | None, note: str | None) -> Reply:
    """Shared by `/dispute update` and the reminder's "Add an update" form."""
    now = rt.now()
    with rt.session_factory.begin() as session:
        dispute = _dispute(session, number)
        move = disputes.update(session, dispute=dispute, status=status, note=note, actor=caller.user_id, now=now)
        kind = {"reopen": "reopen", "note": "note"}.get(move.kind, "close" if move.after == rules.CLOSED else "move")

        def say(lang: str) -> Message:
            return render.changed(lang, dispute, kind=kind, before=move.before, actor=caller.user_id, note=note)

        announced = kind in ("reopen", "close") or (kind == "move" and move.after in rules.ESCALATIONS)
        posts = _channel_posts(rt, caller, dispute.contract, say(rt.settings.language)) if announced else []
        message = say(caller.lang)
    return Reply(message, public=True, posts=posts)


def close(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"recovered", "note", "currency"})
    number = parsed.pop_word()
    force = bool(parsed.words) and parsed.words[-1].lower() in ("force", "forcer")
    if force:
        parsed.words.pop()
    outcome = _text(parsed.rest, "outcome", MAX_SUMMARY) or None
    if outcome is None:
        raise UserError("err_dispute_close_usage")
    note = parsed.options.get("note") or None
    now = rt.now()
    with rt.session_factory.begin() as session:
        dispute = _dispute(session, number)
        recovered = _amount(parsed, "recovered", dispute.currency)
        before = dispute.status
        disputes.close(session, dispute=dispute, outcome=outcome, recovered=recovered, force=force, note=note,
                       actor=caller.user_id, now=now)
        message = render.changed(caller.lang, dispute, kind="close", before=before, actor=caller.user_id, note=note)
        posts = _channel_posts(rt, caller, dispute.contract, render.changed(
            rt.settings.language, dispute, kind="close", before=before, actor=caller.user_id, note=note))
    return Reply(message, public=True, posts=posts)


SCOPES = {"open": "open", "all": "all", "ouverts": "open", "ouvert": "open", "tous": "all", "cours": "open"}


def list_(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    scope = "open"
    if parsed.words and parsed.words[-1].lower() in SCOPES:
        if parsed.words[-1].lower() == "cours" and parsed.words[-2:-1] != ["en"]:
            pass  # "cours" alone is a word of a title, not "en cours"
        else:
            scope = SCOPES[parsed.words.pop().lower()]
            if parsed.words[-1:] == ["en"]:
                parsed.words.pop()
    query = parsed.rest
    with rt.session_factory.begin() as session:
        contract_ids, suffix = contracts_matching(session, query)
        listing = disputes.get_all(session, contract_ids=contract_ids, open_only=scope == "open")
        title = t(caller.lang, f"dsp_list_{scope}", n=listing.total, ref=suffix)
        message = render.listing(caller.lang, listing, title=title, tz=rt.settings.tz, now=rt.now())
    return Reply(message, public=public)


def show(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    number = parsed.pop_word()
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        dispute = _dispute(session, number)
        message = render.card(caller.lang, dispute, disputes.linked_incidents(session, dispute_id=dispute.id),
                              disputes.timeline(session, dispute_id=dispute.id), rt.settings.tz)
    return Reply(message, public=public)


VERBS = Verbs(NAME, OPTIONS, {"open": open_, "ouvrir": open_, "update": update, "maj": update, "close": close,
                              "clore": close, "fermer": close, "list": list_, "liste": list_, "show": show,
                              "voir": show},
              writes=frozenset({open_, update, close}), unknown="err_dispute_verb")
