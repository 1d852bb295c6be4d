"""Obligations: dated duties of a contract (insurance certificate, DPA review, DR test, steering committee).

Pure functions of their inputs (no Slack, no SQL, no clock):
- a recurring obligation's n-th due date is counted from its anchor in one go (anchor + n × every),
  never from the previous (clamped) due date, so month ends don't drift: 31 Jan → 28/29 Feb → 31 Mar;
- its status is derived from today: `pending`, `due_soon` (inside the first — largest — alert
  threshold), `overdue` (the due day has passed); `fulfilled` and `waived` are stored;
- its alert *levels*: the thresholds (days before the due date, e.g. 30, 7, 0), then a weekly reminder
  while overdue (levels −7, −14, …). Level L is due once `days left ≤ L`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from bot.deadlines import ThresholdDecision, days_left, decide_threshold
from bot.durations import Duration, scale, shift

OPEN, FULFILLED, WAIVED = "open", "fulfilled", "waived"
PENDING, DUE_SOON, OVERDUE = "pending", "due_soon", "overdue"
STATUSES = (PENDING, DUE_SOON, OVERDUE, FULFILLED, WAIVED)
PARTIES = ("vendor", "us")
REMINDER_DAYS = 7  # weekly reminder while overdue


def nth_due(anchor: date, every: Duration, n: int) -> date:
    """The n-th due date of a recurring obligation (n = 0 is the anchor itself)."""
    return shift(anchor, scale(every, n))


def status(state: str, due: date, today: date, thresholds: Sequence[int]) -> str:
    """What a person sees: stored `fulfilled`/`waived`, else derived from today and the first threshold."""
    if state in (FULFILLED, WAIVED):
        return state
    left = days_left(due, today)
    if left < 0:
        return OVERDUE
    return DUE_SOON if left <= max(thresholds, default=0) else PENDING


def levels_due(due: date, today: date, thresholds: Iterable[int]) -> list[int]:
    """Every alert level due by today: the thresholds, and one reminder level per full week overdue."""
    left = days_left(due, today)
    reminders = [-REMINDER_DAYS * k for k in range(1, max(0, -left) // REMINDER_DAYS + 1)]
    return sorted(set(thresholds) | set(reminders), reverse=True)


def decide(due: date, today: date, thresholds: Iterable[int], handled: set[int]) -> ThresholdDecision:
    """Which alert to post today: the most urgent due level not handled yet; the others are superseded
    (after a gap people get one alert, not a burst). A level less urgent than one handled never comes back."""
    return decide_threshold(due, today, levels_due(due, today, thresholds), handled)


def next_level(thresholds: Iterable[int], floor: int | None) -> int:
    """The first level, from the least urgent, below `floor` (the most urgent level handled so far)."""
    below = [t for t in sorted(set(thresholds), reverse=True) if floor is None or t < floor]
    if below:
        return below[0]
    # past the thresholds: the next whole week overdue
    base = min(floor if floor is not None else 0, 0)
    return -REMINDER_DAYS * (-base // REMINDER_DAYS + 1)


def next_alert_on(due: date, thresholds: Iterable[int], handled: set[int]) -> date:
    """The first day on which an alert not handled yet becomes due (what the sweep's indexed query reads)."""
    return due - timedelta(days=next_level(thresholds, min(handled, default=None)))
