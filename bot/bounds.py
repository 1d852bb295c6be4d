"""The bounds on everything a person types, in one place (pure domain: imports nothing of ours).

Every entry point — slash commands, DMs, the forms, CSV imports, the shell — refuses input outside
these bounds with a clear message, so nothing downstream (a sweep, an export, the database) meets a
year 102025 or a title the column would cut. `docs/operations.md` ("Hostile input") lists them.
"""

from __future__ import annotations

import re
from datetime import date

MIN_YEAR = 1900
MAX_YEAR = 2200
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)

MAX_DURATION_YEARS = 100
MAX_DURATION_MONTHS = 12 * MAX_DURATION_YEARS
MAX_DURATION_DAYS = 36_525  # 100 years of 365.25 days
MAX_DURATION_BUSINESS_DAYS = 26_100  # 100 years of 261 working days
MAX_DURATION_MINUTES = MAX_DURATION_DAYS * 24 * 60

MAX_TEXT = 3000  # a whole command or direct message (the spec's "oversize text")
MAX_SEARCH_WORDS = 8  # words of a search that become conditions; the rest are ignored

MAX_REFERENCE = 64
REFERENCE = re.compile(r"[A-Za-z0-9._/:-]{1,64}")  # letters, digits and - _ . / :

MAX_TITLE = 300  # contracts.title is String(300)
MAX_VENDOR = 200  # vendors.name is String(200)
MAX_NOTE = 1000  # notes, summaries, outcomes, evidence: free text kept whole
MAX_SUMMARY = 1000
# The longest value each `key:` option of the grammar may carry; any other option: MAX_NOTE.
OPTION_LIMITS: dict[str, int] = {"title": MAX_TITLE, "vendor": MAX_VENDOR, "reference": MAX_REFERENCE}

MAX_CSV_CELL = 10_000  # csv's own field limit (131,072) raises; a longer cell is a bad row


def option_limit(name: str) -> int:
    return OPTION_LIMITS.get(name, MAX_NOTE)


def date_in_range(day: date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def duration_in_range(*, months: int = 0, days: int = 0, business_days: int = 0, minutes: int = 0) -> bool:
    return (abs(months) <= MAX_DURATION_MONTHS and abs(days) <= MAX_DURATION_DAYS
            and abs(business_days) <= MAX_DURATION_BUSINESS_DAYS and abs(minutes) <= MAX_DURATION_MINUTES)


def is_reference(text: str) -> bool:
    return REFERENCE.fullmatch(text or "") is not None


def search_words(terms: list[str]) -> list[str]:
    """The distinct words a search uses, longest first (most selective), at most MAX_SEARCH_WORDS."""
    distinct = list(dict.fromkeys(terms))
    return sorted(distinct, key=len, reverse=True)[:MAX_SEARCH_WORDS]
