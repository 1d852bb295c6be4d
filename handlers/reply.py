"""What a command answers (`Reply`), and the one rule every write command checks first (`require_manager`).

Below the commands and the dispatcher: command modules import this, never `handlers.dispatch` (which
imports the command table, `handlers.commands.COMMANDS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.render.common import Message
from handlers.errors import UserError
from handlers.runtime import Caller, Runtime


@dataclass(slots=True)
class Reply:
    message: Message | None = None
    public: bool = False  # in the channel rather than only to the person
    view: dict[str, Any] | None = None  # a modal to open
    file: tuple[str, str] | None = None  # (file name, text) sent to the person
    posts: list[tuple[str, Message]] = field(default_factory=list)  # also posted in these channels
    is_error: bool = False
    # Draws (file name, PNG bytes, title), or None; called after the text is out, then uploaded where it was asked.
    image: Callable[[], tuple[str, bytes, str] | None] | None = None


CommandFn = Callable[[Runtime, Caller, str], Reply]


def require_manager(rt: Runtime, caller: Caller) -> None:
    if not rt.settings.is_manager(caller.user_id):
        raise UserError("err_forbidden")
