"""One parser for every command: positional words, then `key:value` options.

`/contract add CTR-1 title:"Oracle DB support" vendor:Oracle end:2027-03-31`
→ words ["add", "CTR-1"], options {"title": "Oracle DB support", "vendor": "Oracle", ...}.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from bot import bounds

MAX_TEXT = bounds.MAX_TEXT
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u2018": "'", "\u2019": "'"})
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")  # d'ici, l'ERP, can't: a letter, not a quote
_KEPT = "\ue000"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # NUL and friends: PostgreSQL refuses NUL in text
_OPTION = re.compile(r"^([a-zA-Z_]+):(.*)$", re.DOTALL)
# Slack IDs are about 11 characters; the columns hold 32: a longer "ID" is not one. A bare ID (a CSV
# cell, `owner:U123`) is as long as a mentioned one may be: the spec asks for "a Slack user ID", no length.
_USER = re.compile(r"^<@([UW][A-Z0-9]{1,31})(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{1,31})(?:\|[^>]*)?>$")
_BARE_USER = re.compile(r"^@?([UW][A-Z0-9]{1,31})$")
_BARE_CHANNEL = re.compile(r"^#?([CGD][A-Z0-9]{1,31})$")


class GrammarError(ValueError):
    """The text does not follow the grammar; `.reason` is a key of the translation catalog."""

    def __init__(self, reason: str, **details: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(slots=True)
class Parsed:
    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def pop_word(self) -> str | None:
        return self.words.pop(0) if self.words else None

    @property
    def rest(self) -> str:
        return " ".join(self.words)


def parse(text: str, known_options: frozenset[str] | set[str] = frozenset()) -> Parsed:
    """Split `text`; a `key:` token is an option only when `key` is a known option name.

    Unknown `key:value` tokens stay words (an incident summary may say "DB down: urgent").
    """
    if len(text or "") > MAX_TEXT:
        raise GrammarError("text_too_long", limit=str(MAX_TEXT))
    text = _CONTROL.sub(" ", (text or "").translate(_SMART_QUOTES)).strip()
    try:
        tokens = [token.replace(_KEPT, "'") for token in shlex.split(_APOSTROPHE.sub(_KEPT, text), posix=True)]
    except ValueError as exc:
        raise GrammarError("unbalanced_quotes") from exc
    parsed = Parsed()
    for token in tokens:
        match = _OPTION.match(token)
        if match and match.group(1).lower() in known_options:
            key = match.group(1).lower()
            if key in parsed.options:
                raise GrammarError("duplicate_option", option=key)
            value = match.group(2).strip()
            if len(value) > bounds.option_limit(key):  # refused, never cut by the database
                raise GrammarError("option_too_long", option=key, limit=str(bounds.option_limit(key)))
            parsed.options[key] = value
        else:
            parsed.words.append(token)
    return parsed


def unknown_option(words: list[str]) -> str | None:
    """The first word that looks like a mistyped `key:value` option (for commands with no free text)."""
    for word in words:
        match = _OPTION.match(word)
        if match and match.group(2) and not match.group(2).startswith("//"):
            return match.group(1)
    return None


def user_id(text: str) -> str | None:
    """`<@U123|ann>` (escaped by Slack), `@U123` or `U123` → `U123`."""
    for pattern in (_USER, _BARE_USER):
        match = pattern.match(text.strip())
        if match:
            return match.group(1)
    return None


def channel_id(text: str) -> str | None:
    for pattern in (_CHANNEL, _BARE_CHANNEL):
        match = pattern.match(text.strip())
        if match:
            return match.group(1)
    return None
