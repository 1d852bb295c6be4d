"""A command's verbs, as a table: the words (English and French) → the function that answers, which of
them write (managers only), and what answers when the first word is not a verb. `help`/`aide`, and a
command with no words unless it says otherwise, answer with the command's usage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot import grammar
from bot.render.common import help_message
from handlers.errors import UserError
from handlers.reply import Reply, require_manager
from handlers.runtime import Caller, Runtime

Verb = Callable[[Runtime, Caller, grammar.Parsed], Reply]
HELP_WORDS = ("help", "aide")


@dataclass(frozen=True)
class Verbs:
    name: str  # the command, e.g. "/dispute": its usage is the help
    options: frozenset[str]
    table: Mapping[str, Verb]
    writes: frozenset[Verb] = frozenset()  # verbs for managers only
    otherwise: Verb | None = None  # the first word is no verb: this answers, with every word left
    bare: Verb | None = None  # no words at all: this answers (default: the usage)
    unknown: str = "err_unexpected"  # the first word is no verb and nothing answers otherwise: `{text}`

    def run(self, rt: Runtime, caller: Caller, text: str) -> Reply:
        parsed = grammar.parse(text, self.options)
        word = parsed.words[0].lower() if parsed.words else ""
        if word in HELP_WORDS or (not parsed.words and self.bare is None):
            return Reply(help_message(caller.lang, self.name))
        if not parsed.words and self.bare is not None:
            return self.bare(rt, caller, parsed)
        verb = self.table.get(word)
        if verb is None:
            if self.otherwise is None:
                raise UserError(self.unknown, text=word[:80])
            return self.otherwise(rt, caller, parsed)
        parsed.pop_word()
        if verb in self.writes:
            require_manager(rt, caller)
        return verb(rt, caller, parsed)
