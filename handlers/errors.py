"""Bad input, told to the person in their language, with the usage; never a stack trace."""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import DomainError
from bot.grammar import GrammarError
from bot.i18n import t
from bot.render.common import mrkdwn_escape

MAX_ECHO = 120  # what a person typed is echoed back in an error at most this long, escaped


def _shown(values: Mapping[str, object]) -> dict[str, object]:
    """Values typed by a person, safe to show: escaped (no mention or link) and bounded."""
    return {k: mrkdwn_escape(v if len(v) <= MAX_ECHO else v[:MAX_ECHO - 1] + "…") if isinstance(v, str) else v
            for k, v in values.items()}


class UserError(DomainError):
    """Something the person typed or asked that we refuse; `key` names the catalog message."""


def explain(lang: str, exc: Exception) -> str:
    if isinstance(exc, DomainError):  # InputError too: key err_<problem>, values field and value
        return t(lang, exc.key, **_shown(exc.values))
    if isinstance(exc, GrammarError):
        return t(lang, f"err_{exc.reason}", **_shown(exc.details))
    raise TypeError(exc)
