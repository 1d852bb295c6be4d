"""/incident: record (`<contract> <P1..P4> <summary> [since:]`), ack, resolve, list, show, help.

Anyone may record and update incidents (operational staff feel them first); every change is in
the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from bot import bounds, grammar
from bot.dates import DateError, DateOutOfRange, parse_when
from bot.i18n import t
from bot.render import incidents as render
from bot.sla import PRIORITIES
from handlers.commands.common import contracts_matching, no_extra_words, only_options, resolve_contract, take_public
from handlers.commands.verbs import Verbs
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import incidents

NAME = "/incident"
OPTIONS = frozenset({"since", "at", "note"})
MAX_SUMMARY = bounds.MAX_SUMMARY


def _time(rt: Runtime, parsed: grammar.Parsed, name: str) -> datetime:
    now = rt.now()
    if name not in parsed.options:
        return now
    try:
        return parse_when(parsed.options[name], tz=rt.settings.tz, now=now)
    except DateOutOfRange:
        raise UserError("err_date_out_of_range", field=name, value=parsed.options[name]) from None
    except DateError:
        raise UserError("err_bad_time", field=name, value=parsed.options[name]) from None


def _incident(session, number: str | None):
    if not number:
        raise UserError("err_missing_incident")
    incident = incidents.get_by_number(session, number=number)
    if incident is None:
        raise UserError("err_unknown_incident", number=number)
    return incident


def _rule(exc: incidents.IncidentRuleError, rt: Runtime, lang: str) -> UserError:
    details = {k: render.when(lang, v, rt.settings.tz) if isinstance(v, datetime) else v
               for k, v in exc.details.items()}
    if "what" in details:
        details["what"] = t(lang, f"time_{details['what']}")
    return UserError(exc.problem, **details)


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    return VERBS.run(rt, caller, text)


def record(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"since"})
    if len(parsed.words) < 3:
        raise UserError("err_incident_usage")
    reference, priority = parsed.words[0], parsed.words[1].upper()
    if priority not in PRIORITIES:
        raise UserError("err_bad_priority", value=parsed.words[1])
    summary = " ".join(parsed.words[2:])
    if len(summary) > MAX_SUMMARY:
        raise UserError("err_too_long", field="summary")
    opened_at = _time(rt, parsed, "since")
    now = rt.now()
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, reference)
        try:
            incident = incidents.create(session, contract=contract, priority=priority, summary=summary,
                                        opened_at=opened_at, actor=caller.user_id, now=now,
                                        calendar=rt.settings.calendar)
        except incidents.IncidentRuleError as exc:
            raise _rule(exc, rt, caller.lang) from None
        message = render.recorded(caller.lang, incident, rt.settings.tz)
        channel = contract.channel or rt.settings.alert_channel
        posts = [(channel, render.recorded(rt.settings.language, incident, rt.settings.tz))] \
            if channel and channel != caller.channel_id else []
    return Reply(message, public=True, posts=posts)


def ack(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"at"})
    number = parsed.pop_word()
    no_extra_words(parsed)
    at = _time(rt, parsed, "at")
    with rt.session_factory.begin() as session:
        incident = _incident(session, number)
        try:
            incidents.acknowledge(session, incident=incident, at=at, actor=caller.user_id, now=rt.now())
        except incidents.IncidentRuleError as exc:
            raise _rule(exc, rt, caller.lang) from None
        message = render.changed(caller.lang, "inc_acked", incident, rt.settings.tz, now=rt.now())
    return Reply(message, public=True)


def resolve(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"at", "note"})
    number = parsed.pop_word()
    no_extra_words(parsed)
    at = _time(rt, parsed, "at")
    with rt.session_factory.begin() as session:
        incident = _incident(session, number)
        try:
            incidents.resolve(session, incident=incident, at=at, note=parsed.options.get("note"),
                              actor=caller.user_id, now=rt.now())
        except incidents.IncidentRuleError as exc:
            raise _rule(exc, rt, caller.lang) from None
        message = render.changed(caller.lang, "inc_resolved", incident, rt.settings.tz, now=rt.now())
    return Reply(message, public=True)


def list_(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    scope = "open"
    if parsed.words and parsed.words[-1].lower() in ("open", "all", "ouverts", "tous"):
        scope = {"ouverts": "open", "tous": "all"}.get(parsed.words[-1].lower(), parsed.words[-1].lower())
        parsed.words.pop()
    with rt.session_factory.begin() as session:
        ids, suffix = contracts_matching(session, parsed.rest if parsed.words else "")
        rows, total = incidents.get_all(session, contract_ids=ids, open_only=scope == "open")
        title = t(caller.lang, f"inc_list_{scope}", n=total, ref=suffix)
        message = render.listing(caller.lang, rows, total, rt.settings.tz, title=title, now=rt.now())
    return Reply(message, public=public)


def show(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    number = parsed.pop_word()
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        incident = _incident(session, number)
        message = render.card(caller.lang, incident, rt.settings.tz, now=rt.now())
    return Reply(message, public=public)


VERBS = Verbs(NAME, OPTIONS, {"ack": ack, "resolve": resolve, "list": list_, "show": show}, otherwise=record)
