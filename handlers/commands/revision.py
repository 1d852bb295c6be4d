"""`/contract indexation` (the revision clause) and `/contract revise` (the revision, step by step; `apply`).

Reached from handlers.commands.contract; errors here show this feature's usage."""

from __future__ import annotations

from datetime import date

from bot import grammar
from bot.contract_input import InputError
from bot.errors import DomainError
from bot.grammar import GrammarError
from bot.render import revisions as render
from bot.render.common import Message, error, help_message
from bot.revision_input import CLAUSE_OPTIONS, read_clause, read_date
from handlers.commands.common import find_contract, no_extra_words, only_options, take_public
from handlers.errors import UserError, explain
from handlers.reply import Reply, require_manager
from handlers.runtime import Caller, Runtime
from storage import revisions

VERBS = frozenset({"indexation", "revise"})
OPTIONS = CLAUSE_OPTIONS | {"at"}
USAGE = "/contract-revision"  # usage_contract_revision in the revisions catalog part


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    try:
        parsed = grammar.parse(text, OPTIONS)
        verb = (parsed.pop_word() or "").lower()
        if not parsed.words and not parsed.options or parsed.words[:1] in (["help"], ["aide"]):
            return Reply(help_message(caller.lang, USAGE))
        return indexation(rt, caller, parsed) if verb == "indexation" else revise(rt, caller, parsed)
    except (DomainError, InputError, GrammarError) as exc:
        return Reply(error(caller.lang, explain(caller.lang, exc), command=USAGE), is_error=True)


def _today(rt: Runtime) -> date:
    return rt.now().astimezone(rt.settings.tz).date()


def indexation(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, set(CLAUSE_OPTIONS))
    if not parsed.options:
        with rt.session_factory.begin() as session:
            contract = find_contract(session, reference)
            clause = revisions.get_clause(session, contract_id=contract.id)
            if clause is None:
                raise UserError("err_rev_no_clause", ref=contract.reference)
            return Reply(render.clause_message(caller.lang, contract, clause), public=public)
    require_manager(rt, caller)
    given = read_clause(parsed.options, tz=rt.settings.tz, now=rt.now())
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        clause, changes = revisions.set_clause(session, contract=contract, given=given, actor=caller.user_id,
                                               now=rt.now(), today=_today(rt))
        message = render.clause_message(caller.lang, contract, clause, set_by=caller.user_id, changed=bool(changes))
    return Reply(message, public=bool(changes))


def revise(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    public = take_public(parsed)
    apply = bool(parsed.words) and parsed.words[-1].lower() in ("apply", "appliquer")
    if apply:
        parsed.words.pop()
        require_manager(rt, caller)
    reference = parsed.pop_word()
    no_extra_words(parsed)
    only_options(parsed, {"at"})
    at = read_date("at", parsed.options["at"], tz=rt.settings.tz, now=rt.now()) if "at" in parsed.options else None
    with rt.session_factory.begin() as session:
        contract = find_contract(session, reference)
        clause = revisions.get_clause(session, contract_id=contract.id)
        if clause is None:
            raise UserError("err_rev_no_clause", ref=contract.reference)
        comp = revisions.compute(session, contract=contract, clause=clause, at=at or clause.next_revision_on)
        if not apply:
            return Reply(render.computation(caller.lang, comp, hint=True), public=public)
        row = revisions.apply(session, comp=comp, actor=caller.user_id, now=rt.now())
        done = render.applied(caller.lang, contract, row, caller.user_id)
        steps = render.computation(caller.lang, comp, hint=False)
    return Reply(Message(text=f"{done.text}\n{steps.text}", blocks=[*done.blocks, *steps.blocks]), public=True)



