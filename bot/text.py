"""Folding text: case, accents and runs of spaces ignored ("Société  Générale" ~ "societe generale").

The one accent-folding function: search, vendor keys, and the date and question readers all use it.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(text)) if w]


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
