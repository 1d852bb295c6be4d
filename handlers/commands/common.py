"""Helpers the command verbs share: finding a contract, the `public` flag, allowed options."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.grammar import Parsed, unknown_option
from bot.render.common import mrkdwn_escape
from handlers.errors import UserError
from storage import contracts
from storage.models import Contract


def take_public(parsed: Parsed) -> bool:
    if parsed.words and parsed.words[-1].lower() in ("public", "publique"):
        parsed.words.pop()
        return True
    return False


def only_options(parsed: Parsed, allowed: set[str]) -> None:
    for name in parsed.options:
        if name not in allowed:
            raise UserError("err_option_not_here", option=name)


def no_extra_words(parsed: Parsed) -> None:
    mistyped = unknown_option(parsed.words)
    if mistyped:
        raise UserError("err_unknown_option", field=mistyped)
    if parsed.words:
        raise UserError("err_unexpected", text=" ".join(parsed.words)[:80])


def find_contract(session: Session, reference: str | None) -> Contract:
    if not reference:
        raise UserError("err_missing_reference")
    contract = contracts.get_by_reference(session, reference=reference)
    if contract is None:
        closest = contracts.closest_references(session, query=reference)
        if closest:
            raise UserError("err_unknown_reference_closest", ref=reference, refs=", ".join(closest))
        raise UserError("err_unknown_reference", ref=reference)
    return contract


def resolve_contract(session: Session, text: str | None) -> Contract:
    """A contract named by its reference, else by a vendor or title word that matches exactly one."""
    if not text:
        raise UserError("err_missing_reference")
    found = contracts.search(session, query=text)  # an exact reference comes first
    if len(found.contracts) == 1:
        return found.contracts[0]
    if found.contracts:
        raise UserError("err_ambiguous_contract", text=text,
                        refs=", ".join(c.reference for c in found.contracts[:5]))
    if found.suggestions:
        raise UserError("err_unknown_reference_closest", ref=text, refs=", ".join(found.suggestions))
    raise UserError("err_unknown_reference", ref=text)


def contracts_matching(session: Session, query: str) -> tuple[list[int] | None, str]:
    """For the lists scoped to contracts (`/incident list`, `/dispute list`, `/obligation list`): the ids of
    every contract a reference, vendor or title words match ("open disputes for Oracle"), and the title's
    suffix naming them, escaped. No query: (None, "") — the whole portfolio. None matched: "not found",
    with the closest references."""
    if not query:
        return None, ""
    found = contracts.search(session, query=query, limit=500)
    if not found.contracts:
        resolve_contract(session, query)  # raises "not found" with the closest references
    label = found.contracts[0].reference if len(found.contracts) == 1 else query[:60]
    return [c.id for c in found.contracts], f" — {mrkdwn_escape(label)}"
