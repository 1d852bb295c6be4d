"""Bad input, told to the person in their language, with the usage; never a stack trace."""

from __future__ import annotations

from bot.contract_input import InputError
from bot.errors import DomainError
from bot.grammar import GrammarError
from bot.i18n import t


class UserError(DomainError):
    """Something the person typed or asked that we refuse; `key` names the catalog message."""


def explain(lang: str, exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return t(lang, exc.key, **exc.values)
    if isinstance(exc, InputError):
        return t(lang, f"err_{exc.problem}", field=exc.field, value=exc.value)
    if isinstance(exc, GrammarError):
        return t(lang, f"err_{exc.reason}", **exc.details)
    raise TypeError(exc)
