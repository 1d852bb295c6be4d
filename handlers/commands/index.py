"""/index: record index values (managers), list the last values of an index, list the indices known."""

from __future__ import annotations

from bot import grammar
from bot.render import revisions as render
from bot.render.common import with_help
from bot.revision_input import read_date, read_index_name, read_index_value, read_month
from handlers.commands.common import no_extra_words, only_options, take_public
from handlers.commands.verbs import Verbs
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import indices

NAME = "/index"
OPTIONS = frozenset({"published"})
SHOWN = 12


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    return VERBS.run(rt, caller, text)


def show(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    """`/index` lists the indices known; `/index NAME` the last values of one."""
    public = take_public(parsed)
    only_options(parsed, set())
    if not parsed.words:  # the indices known, then the usage and examples (an empty text's answer)
        with rt.session_factory.begin() as session:
            names = render.index_names(caller.lang, indices.get_names(session))
        return Reply(with_help(caller.lang, names, NAME), public=public)
    name = read_index_name(parsed.pop_word())
    no_extra_words(parsed)
    with rt.session_factory.begin() as session:
        rows = indices.get_recent(session, name=name, limit=SHOWN)
        fixes = indices.corrections(session, row_ids=[row.id for row in rows])
        return Reply(render.index_values(caller.lang, name, rows, fixes), public=public)


def set_value(rt: Runtime, caller: Caller, parsed: grammar.Parsed) -> Reply:
    if len(parsed.words) < 3:
        raise UserError("err_index_set_usage")
    name = read_index_name(parsed.pop_word())
    month = read_month(parsed.pop_word())
    value = read_index_value(parsed.pop_word())
    no_extra_words(parsed)
    only_options(parsed, set(OPTIONS))
    published = None
    if "published" in parsed.options:
        published = read_date("published", parsed.options["published"], tz=rt.settings.tz, now=rt.now())
    with rt.session_factory.begin() as session:
        result = indices.set_value(session, name=name, month=month, value=value, published_on=published,
                                   actor=caller.user_id, now=rt.now())
        message = render.index_set(caller.lang, name, result, caller.user_id)
    return Reply(message, public=result.changed)


VERBS = Verbs(NAME, OPTIONS, {"set": set_value}, writes=frozenset({set_value}), otherwise=show, bare=show)
