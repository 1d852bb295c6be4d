"""The slash commands: one table, name → `run(runtime, caller, text)`, built here explicitly.

Each command module exposes `NAME` and `run`; Slack's slash commands, direct messages and the local
shell all go through this table (`handlers.dispatch.run_command`); the Bolt listener is `handlers.slash`.
"""

from __future__ import annotations

from handlers.commands import contract, dispute, incident, index, obligation, renewals, sla
from handlers.reply import CommandFn

_MODULES = (contract, renewals, incident, sla, dispute, obligation, index)
COMMANDS: dict[str, CommandFn] = {module.NAME: module.run for module in _MODULES}
SLASH_COMMANDS = tuple(COMMANDS)
