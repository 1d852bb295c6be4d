"""/obligation: add, done, waive, list, show, help.

Writes are for managers and the obligation's owner (its own owner, else the contract's); adding one is
for managers and the contract's owner. Every change is in the contract's history and the audit trail.
"""

from __future__ import annotations

from datetime import date

from bot import grammar
from bot.dates import DateError, parse_date
from bot.durations import DurationError, parse_duration
from bot.i18n import t
from bot.obligations import PARTIES
from bot.render import obligations as render
from handlers.commands.common import contracts_matching, no_extra_words, only_options, resolve_contract, take_public
from handlers.commands.verbs import Verbs
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import obligations
from storage.models import Obligation

NAME = "/obligation"
OPTIONS = frozenset({"due", "every", "owner", "party", "evidence", "note"})
SCOPES = {"open": "open", "due": "due", "overdue": "overdue", "all": "all", "ouvertes": "open", "proches": "due",
          "retard": "overdue", "toutes": "all"}
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_NOTE = 1000


def _today(rt: Runtime) -> date:
    return rt.now().astimezone(rt.settings.tz).date()


def may_write(rt: Runtime, user: str, obligation: Obligation) -> bool:
    owner = obligation.owner or obligation.contract.owner
    return rt.settings.is_manager(user) or (bool(user) and user == owner)


def _obligation(session, number: str | None) -> Obligation:
    if not number:
        raise UserError("err_obl_missing_number")
    obligation = obligations.get_by_number(session, number=number)
    if obligation is None:
        raise UserError("err_obl_unknown", number=number[:20])
    return obligation


def _note(parsed: grammar.Parsed) -> str | None:
    note = (parsed.options.get("note") or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise UserError("err_too_long", field="note")
    return note


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    return VERBS.run(rt, caller, text)


def add(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"due", "every", "owner", "party", "evidence"})
    if len(parsed.words) < 2:
        raise UserError("err_obl_usage")
    reference, what = parsed.words[0], " ".join(parsed.words[1:]).strip()
    if len(what) > obligations.MAX_WHAT:
        raise UserError("err_obl_too_long", limit=obligations.MAX_WHAT)
    now = rt.now()
    if not parsed.options.get("due"):
        raise UserError("err_obl_missing_due")
    try:
        due = parse_date(parsed.options["due"], tz=rt.settings.tz, now=now)
    except DateError:
        raise UserError("err_obl_bad_due", value=parsed.options["due"][:80]) from None
    if not MIN_YEAR <= due.year <= MAX_YEAR:
        raise UserError("err_obl_bad_due", value=parsed.options["due"][:80])
    every = None
    if parsed.options.get("every"):
        try:
            every = parse_duration(parsed.options["every"])
        except DurationError:
            raise UserError("err_obl_bad_every", value=parsed.options["every"][:40]) from None
        if every.is_zero or not every.is_calendar or every.months > 1200 or every.days > 36600:
            raise UserError("err_obl_bad_every", value=parsed.options["every"][:40])
    owner = None
    if parsed.options.get("owner"):
        owner = grammar.user_id(parsed.options["owner"])
        if owner is None:
            raise UserError("err_obl_bad_owner")
    party = (parsed.options.get("party") or "vendor").lower()
    party = {"fournisseur": "vendor", "nous": "us"}.get(party, party)
    if party not in PARTIES:
        raise UserError("err_obl_bad_party")
    flag = (parsed.options.get("evidence") or "").lower()
    if flag not in ("", "required", "requis", "requise", "obligatoire"):
        raise UserError("err_obl_bad_evidence_flag")
    with rt.session_factory.begin() as session:
        contract = resolve_contract(session, reference)
        if not (rt.settings.is_manager(caller.user_id) or caller.user_id == contract.owner):
            raise UserError("err_obl_add_forbidden", ref=contract.reference)
        obligation = obligations.create(session, contract=contract, what=what, due=due, every=every, owner=owner,
                                        party=party, evidence_required=bool(flag), actor=caller.user_id, now=now,
                                        thresholds=rt.settings.obligation_thresholds)
        message = render.added(caller.lang, obligation, caller.user_id, today=_today(rt))
    return Reply(message, public=True)


def done(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"evidence", "note"})
    number = parsed.pop_word()
    no_extra_words(parsed)
    note = _note(parsed)
    with rt.session_factory.begin() as session:
        obligation = _obligation(session, number)
        reply = complete(rt, caller.user_id, caller.lang, obligation, session=session,
                         evidence=parsed.options.get("evidence"), note=note)
    return reply


def complete(rt: Runtime, user: str, lang: str, obligation: Obligation, *, session, evidence: str | None,
             note: str | None) -> Reply:
    """Shared by `/obligation done` and the alert's Done form (the caller owns the transaction)."""
    if not may_write(rt, user, obligation):
        raise UserError("err_obl_forbidden", number=obligation.number)
    if evidence and len(evidence) > obligations.MAX_EVIDENCE:
        raise UserError("err_too_long", field="evidence")
    now = rt.now()
    fulfilment = obligations.fulfil(session, obligation=obligation, evidence=evidence, note=note, actor=user,
                                    now=now, today=_today(rt), thresholds=rt.settings.obligation_thresholds)
    return Reply(render.done(lang, obligation, fulfilment, user, today=_today(rt)), public=True)


def waive(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    only_options(parsed, {"note"})
    number = parsed.pop_word()
    no_extra_words(parsed)
    note = _note(parsed)
    with rt.session_factory.begin() as session:
        obligation = _obligation(session, number)
        if not may_write(rt, caller.user_id, obligation):
            raise UserError("err_obl_forbidden", number=obligation.number)
        obligations.waive(session, obligation=obligation, note=note or "", actor=caller.user_id, now=rt.now())
        message = render.waived(caller.lang, obligation, caller.user_id)
    return Reply(message, public=True)


def list_(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    scope = "open"
    if parsed.words and parsed.words[-1].lower() in SCOPES:
        scope = SCOPES[parsed.words.pop().lower()]
    today = _today(rt)
    thresholds = rt.settings.obligation_thresholds
    if parsed.words[-1:] == ["en"]:  # "en retard"
        parsed.words.pop()
    query = parsed.rest
    with rt.session_factory.begin() as session:
        contract_ids, suffix = contracts_matching(session, query)
        rows, total = obligations.get_all(session, today=today, thresholds=thresholds, contract_ids=contract_ids,
                                          scope=scope)
        title = t(caller.lang, f"obl_list_{scope}", n=total, ref=suffix)
        message = render.listing(caller.lang, rows, total, title=title, today=today, thresholds=thresholds)
    return Reply(message, public=public)


def show(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    only_options(parsed, set())
    number = parsed.pop_word()
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        obligation = _obligation(session, number)
        message = render.card(caller.lang, obligation, events=obligations.history(session, obligation=obligation),
                              fulfilments=obligations.fulfilments(session, obligation_id=obligation.id),
                              today=_today(rt), tz=rt.settings.tz, thresholds=rt.settings.obligation_thresholds)
    return Reply(message, public=public)


VERBS = Verbs(NAME, OPTIONS, {"add": add, "ajouter": add, "done": done, "fait": done, "waive": waive,
                              "lever": waive, "list": list_, "liste": list_, "show": show, "voir": show})
