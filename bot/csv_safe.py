"""CSV formula injection (OWASP "CSV Injection"): a cell a spreadsheet would run as a formula.

Every CSV the bot writes goes through ``safe_row``: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe, so Excel, LibreOffice and Google
Sheets show it as text. Plain negative numbers written by the bot itself (``-12.50``) are left
alone: they are ours, not a person's, and a spreadsheet must still add them up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]


def unsafe_cell(text: str) -> str:
    """The inverse of ``safe_cell`` for import: ``'=SUM(A1)`` reads back as ``=SUM(A1)``, so an
    export → import round trip gives back what was exported."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text
