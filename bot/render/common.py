"""What every message shares: the Message type, Slack's limits, error and help replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.i18n import t
from bot.text import truncate

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FIELD = 2000


@dataclass(slots=True)
class Message:
    """A reply or alert: Block Kit blocks and the plain-text fallback Slack shows in notifications."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    lang: str = "en"  # for the "and N more" line, when the blocks pass Slack's limit
    more_command: str | None = None  # the command that shows everything, named in that line

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [block.to_dict() for block in self.within_limit()]}

    def within_limit(self) -> list[Block]:
        """The blocks Slack accepts (at most 50): past that, the last one says how many more there are
        and which command shows them, instead of a silent cut."""
        if len(self.blocks) <= MAX_BLOCKS:
            return list(self.blocks)
        hidden = len(self.blocks) - (MAX_BLOCKS - 1)
        line = (t(self.lang, "more_blocks", count=hidden, command=self.more_command) if self.more_command
                else t(self.lang, "more_blocks_no_command", count=hidden))
        return [*self.blocks[:MAX_BLOCKS - 1], context(line)]

    def plain(self) -> str:
        return self.text


def mrkdwn_escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=truncate(text, MAX_HEADER), emoji=False))


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, MAX_SECTION)))


def fields_section(pairs: list[tuple[str, str]]) -> SectionBlock:
    return SectionBlock(fields=[MarkdownTextObject(text=truncate(f"*{label}*\n{value}", MAX_FIELD))
                                for label, value in pairs[:10]])


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, MAX_SECTION))])


def lines_sections(lines: list[str], *, budget: int) -> list[SectionBlock]:
    """Pack lines into as few sections as Slack's 3,000-character limit allows, at most `budget`."""
    sections: list[SectionBlock] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > MAX_SECTION:
            sections.append(section("\n".join(chunk)))
            chunk, size = [], 0
            if len(sections) == budget:
                return sections
        chunk.append(truncate(line, MAX_SECTION))
        size += len(line) + 1
    if chunk and len(sections) < budget:
        sections.append(section("\n".join(chunk)))
    return sections


def usage_text(lang: str, command: str) -> str:
    return t(lang, f"usage_{command.strip('/').replace('-', '_')}")


def error(lang: str, problem: str, *, command: str) -> Message:
    """A clear message saying what was wrong, followed by the usage. Always sent ephemeral."""
    usage = usage_text(lang, command)
    return Message(
        text=f"{problem}\n\n{t(lang, 'usage')}\n{usage}",
        blocks=[section(f":warning: {problem}"), context(f"*{t(lang, 'usage')}*\n{usage}")],
    )


def examples_text(lang: str, command: str) -> str:
    return t(lang, f"examples_{command.strip('/').replace('-', '_')}")


def help_message(lang: str, command: str) -> Message:
    usage, examples = usage_text(lang, command), examples_text(lang, command)
    return Message(
        text=f"{usage}\n\n{t(lang, 'examples')}\n{examples}",
        blocks=[section(usage), context(f"*{t(lang, 'examples')}*\n{examples}")],
    )


def with_help(lang: str, message: Message, command: str) -> Message:
    """`message` followed by the command's usage and examples: the answer to an empty text for the commands
    whose empty text also means something (`/renewals`: the default window; `/index`: the indices known)."""
    usage, examples = usage_text(lang, command), examples_text(lang, command)
    footer = f"*{t(lang, 'usage')}*\n{usage}\n*{t(lang, 'examples')}*\n{examples}"
    return Message(text=f"{message.text}\n\n{t(lang, 'usage')}\n{usage}\n{t(lang, 'examples')}\n{examples}",
                   blocks=[*message.blocks, context(footer)], lang=message.lang, more_command=message.more_command)


def notice(text: str) -> Message:
    return Message(text=text, blocks=[section(text)])


def who(user: str | None) -> str:
    """A person, as a mention (never a name: Slack shows it in the reader's own display)."""
    return f"<@{user}>" if user else "—"
