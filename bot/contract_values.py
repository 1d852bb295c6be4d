"""The typed values a contract is created or changed with, and the error that refuses one.

Pure domain: storage builds contracts from ``ContractValues`` and raises ``InputError`` (a
``DomainError`` whose key is ``err_<problem>``); reading what people type into these values lives in
presentation (``bot.contract_input``), translating the error too (``handlers.errors.explain``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from bot.durations import Duration
from bot.errors import DomainError


class InputError(DomainError, ValueError):
    """`field` could not be read or broke a rule; `problem` names the rule (catalog key `err_<problem>`),
    `value` is what was given."""

    def __init__(self, field_name: str, problem: str, value: str = "") -> None:
        super().__init__(f"err_{problem}", field=field_name, value=value)
        self.args = (f"{field_name}: {problem} ({value!r})",)
        self.field = field_name
        self.problem = problem
        self.value = value


@dataclass(slots=True)
class ContractValues:
    """Typed values; None means "not given" (for an amendment: unchanged)."""

    reference: str | None = None
    title: str | None = None
    vendor: str | None = None
    type: str | None = None
    status: str | None = None
    start: date | None = None
    end: date | None = None
    notice: Duration | None = None
    renewal: str | None = None
    term: Duration | None = None
    lead: Duration | None = None
    value: Decimal | None = None
    currency: str | None = None
    owner: str | None = None
    channel: str | None = None
    given: set[str] = field(default_factory=set)

    def items(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "given" and f.name in self.given}


def require(values: ContractValues, *names: str) -> None:
    """Each of `names` is given, or InputError(name, "required")."""
    for name in names:
        if getattr(values, name) is None:
            raise InputError(name, "required")
