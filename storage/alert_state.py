"""What an alert records, typed: the one definition of the keys of `Alert.detail`.

Every sweep writes a new alert's record with `record(...)`; every button and re-render reads it
with `read(alert)` and changes it with `update(alert, ...)`. Unknown keys or wrong types are refused,
so a typo in one package cannot silently write a key another package never reads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from storage.models import Alert

DEADLINE, SLA, DISPUTE_STALE, OBLIGATION = "deadline", "sla", "dispute_stale", "obligation"


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """The facts an alert was posted about, and what people did to it since."""

    # what the alert was posted about (set by the sweep that claimed it)
    threshold: int | None = None  # deadline: days before the act-by date
    end: str | None = None  # deadline: the term end (ISO) the alert was for
    target: str | None = None  # sla: "response" | "resolution"
    level: str | int | None = None  # sla: "warning" | "breach"; obligation: days before due
    due: str | None = None  # obligation: due date (ISO)
    number: str | None = None  # obligation: its number ("OBL-5")
    recipient: str | None = None  # dispute reminder: whom it is for
    lang: str | None = None  # dispute reminder: the language it was written in
    due_from: str | None = None  # dispute reminder: when it became due (ISO datetime, UTC)
    effective_on: str | None = None  # price revision: effective date (ISO)
    week: str | None = None  # digest: ISO week
    month: str | None = None  # SLA report: YYYY-MM
    # a claim of this alert that went stale (its process died, or lost the database, after claiming):
    # "ISO-UTC worker" of the last one, and when the first one was made (ISO, UTC). Before posting again,
    # the sweep looks in the destination's history since then for a message carrying the alert's key.
    stale_claim: str | None = None
    stale_since: str | None = None
    # what people did since (buttons)
    snoozed_by: str | None = None
    snoozed_until: str | None = None  # ISO date in the org time zone
    settled: str | None = None  # the line saying how it was settled; the buttons go

    @property
    def snoozed_until_date(self) -> date | None:
        return date.fromisoformat(self.snoozed_until) if self.snoozed_until else None

    @property
    def due_date(self) -> date | None:
        return date.fromisoformat(self.due) if self.due else None

    @property
    def effective_date(self) -> date | None:
        return date.fromisoformat(self.effective_on) if self.effective_on else None


_TYPES: dict[str, tuple[type, ...]] = {
    "threshold": (int,), "level": (str, int),
}
_NAMES = frozenset(f.name for f in fields(AlertRecord))


def _validated(values: dict[str, Any]) -> AlertRecord:
    unknown = set(values) - _NAMES
    if unknown:
        raise ValueError(f"unknown alert detail keys: {sorted(unknown)}")
    for name, value in values.items():
        allowed = _TYPES.get(name, (str,))
        if value is not None and (not isinstance(value, allowed) or isinstance(value, bool)):
            raise ValueError(f"alert detail {name!r} must be {allowed}, not {type(value).__name__}")
    return AlertRecord(**values)


def record(**values: Any) -> dict[str, Any]:
    """The JSON a new alert's `detail` column holds (validated; None values left out)."""
    return dump(_validated(values))


def dump(state: AlertRecord) -> dict[str, Any]:
    return {k: v for k, v in asdict(state).items() if v is not None}


def read(alert: Alert) -> AlertRecord:
    return read_detail(alert.detail)


def read_detail(detail: dict[str, Any] | None) -> AlertRecord:
    """What an alert's `detail` column records (ValueError when it holds what no alert writes)."""
    return _validated(dict(detail or {}))


def update(alert: Alert, **changes: Any) -> AlertRecord:
    """Change some of what the alert records (validated) and write it back."""
    state = replace(read(alert), **dump(_validated(changes)))
    alert.detail = dump(state)
    return state
