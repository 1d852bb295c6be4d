"""/sla: compliance and credits (`<contract> [period]`), `set`, `terms`, `breaches [window]`, help."""

from __future__ import annotations

from decimal import Decimal

from bot import grammar
from bot.dates import DateError, parse_period
from bot.i18n import t
from bot.money import MoneyError, parse_pct
from bot.render import sla as render
from bot.sla import PRIORITIES, read_clock, read_target
from handlers.commands.common import no_extra_words, only_options, resolve_contract, take_public
from handlers.commands.verbs import Verbs
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import incidents, sla_terms
from storage.sla_reports import compliance

NAME = "/sla"
OPTIONS = frozenset({"response", "resolve", "resolution", "clock", "credit", "availability", "cap"})


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    return VERBS.run(rt, caller, text)


def _pct(name: str, text: str) -> Decimal:
    try:
        return parse_pct(text)
    except MoneyError:
        raise UserError("err_bad_pct", field=name, value=text) from None


def set_terms(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    reference = parsed.pop_word()
    options = parsed.options
    priority = parsed.pop_word()
    no_extra_words(parsed)
    now = rt.now()
    if priority is not None:
        priority = priority.upper()
        if priority not in PRIORITIES:
            raise UserError("err_bad_priority", value=priority)
        only_options(parsed, {"response", "resolve", "resolution", "clock", "credit"})
        resolution = options.get("resolve") or options.get("resolution")
        if "response" not in options or not resolution:
            raise UserError("err_sla_set_needs_targets")
        clock = read_clock(options.get("clock")).value
        term = sla_terms.TermInput(priority=priority, response=read_target("response", options["response"]),
                                   resolution=read_target("resolve", resolution), clock=clock,
                                   credit_pct=_pct("credit", options["credit"]) if "credit" in options else None)
        with rt.session_factory.begin() as session:
            contract = resolve_contract(session, reference)
            sla_terms.set_term(session, contract=contract, term=term, actor=caller.user_id, now=now)
            message = render.terms(caller.lang, contract, sla_terms.get_terms(session, contract_id=contract.id),
                                   sla_terms.get_policy(session, contract_id=contract.id))
        return Reply(message, public=True)
    only_options(parsed, {"availability", "credit", "cap"})
    if not options:
        raise UserError("err_sla_set_usage")
    values = {name: _pct(name, options[name]) if name in options else None for name in ("availability", "credit", "cap")}
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, reference)
        sla_terms.set_policy(session, contract=contract, availability_target=values["availability"],
                             availability_credit_pct=values["credit"], cap_pct=values["cap"], actor=caller.user_id,
                             now=now)
        message = render.terms(caller.lang, contract, sla_terms.get_terms(session, contract_id=contract.id),
                               sla_terms.get_policy(session, contract_id=contract.id))
    return Reply(message, public=True)


def show_terms(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, parsed.rest)
        message = render.terms(caller.lang, contract, sla_terms.get_terms(session, contract_id=contract.id),
                               sla_terms.get_policy(session, contract_id=contract.id))
    return Reply(message, public=public)


def _split_contract_and_period(rt: Runtime, parsed: grammar.Parsed):
    """`CTR-1 last month` → ("CTR-1", period); the contract is the first word, the rest the period."""
    reference = parsed.pop_word()
    try:
        period = parse_period(parsed.rest, tz=rt.settings.tz, now=rt.now())
    except DateError:
        raise UserError("err_bad_period", text=parsed.rest) from None
    return reference, period


def report(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    reference, period = _split_contract_and_period(rt, parsed)
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, reference)
        figures = compliance(session, contract=contract, start=period.start, end=period.end, now=rt.now())
        message = render.report(caller.lang, figures, period=period, tz=rt.settings.tz)
    return Reply(message, public=public)


def breaches(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    try:
        period = parse_period(parsed.rest, tz=rt.settings.tz, now=rt.now(), default="last 30 days")
    except DateError:
        raise UserError("err_bad_period", text=parsed.rest) from None
    with rt.session_factory.begin() as session:
        rows = incidents.breached_between(session, start=period.start, end=period.end, now=rt.now())
        title = t(caller.lang, "sla_breaches_title", n=len(rows), period=render.period_label(caller.lang, period))
        message = render.breaches(caller.lang, rows, rt.settings.tz, title=title)
    return Reply(message, public=public)


VERBS = Verbs(NAME, OPTIONS, {"set": set_terms, "breaches": breaches, "breach": breaches, "depassements": breaches,
                              "terms": show_terms, "termes": show_terms},
              writes=frozenset({set_terms}), otherwise=report)
