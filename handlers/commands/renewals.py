"""/renewals [window]: what must be decided soon, most urgent first, overdue ones on top."""

from __future__ import annotations

from bot import grammar
from bot.dates import DateError, DateOutOfRange, parse_window
from bot.render import contracts as render
from bot.render.common import help_message, with_help
from handlers.commands.common import take_public
from handlers.errors import UserError
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime
from storage import contracts

NAME = "/renewals"


def run(rt: Runtime, caller: Caller, text: str) -> Reply:
    parsed = grammar.parse(text)
    if parsed.words and parsed.words[0].lower() in ("help", "aide"):
        return Reply(help_message(caller.lang, NAME))
    public = take_public(parsed)
    now = rt.now()
    try:
        window = parse_window(parsed.rest, tz=rt.settings.tz, now=now)
    except DateOutOfRange:
        raise UserError("err_window_out_of_range", text=parsed.rest) from None
    except DateError:
        raise UserError("err_bad_window", text=parsed.rest) from None
    today = now.astimezone(rt.settings.tz).date()
    with rt.session_factory.begin() as session:
        rows, total = contracts.due_for_renewal(session, window=window, today=today)
        message = render.renewals(caller.lang, rows, total, window=window, today=today)
    if not parsed.rest:  # an empty text: the default window, and how to ask for another
        message = with_help(caller.lang, message, NAME)
    return Reply(message, public=public)
