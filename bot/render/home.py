"""The App Home tab: the person's own contracts needing a decision, their open disputes and incidents, their
obligations due, then the portfolio's indicators. Pure: parts in, a Message out (its blocks go into a `home` view)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import t
from bot.render.common import Message
from bot.render.digest import Part, assemble


def home(lang: str, parts: Sequence[Part]) -> Message:
    return assemble(t(lang, "home_title"), parts)
