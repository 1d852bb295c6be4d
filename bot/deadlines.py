"""The dates that cost money: notice deadline, act-by date, tacit renewal, alert thresholds.

Pure functions of their inputs (no Slack, no SQL, no clock).
- notice deadline = end − notice (the last day the notice may *reach* the vendor);
- act-by date     = notice deadline − internal lead time (the day the organisation must decide);
- a tacit renewal moves the end forward by the term, counted from the end a person last set
  (the anchor), so month ends do not drift: 31 Jan → 28/29 Feb → 31 Mar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.durations import Duration, scale, shift


class Status(StrEnum):
    DRAFT = "draft"
    NEGOTIATING = "negotiating"
    ACTIVE = "active"
    NOTICE_GIVEN = "notice_given"
    EXPIRED = "expired"
    TERMINATED = "terminated"


CONTRACT_TYPES = ("license", "saas", "maintenance", "support", "tma", "managed_services", "consulting",
                  "hardware", "telecom", "cloud", "other")


class Renewal(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"
    NONE = "none"


CLOSED_STATUSES = frozenset({Status.EXPIRED, Status.TERMINATED})
ALERTED_STATUSES = frozenset({Status.ACTIVE, Status.NEGOTIATING})


def notice_deadline(end: date, notice: Duration) -> date:
    return shift(end, notice, -1)


def act_by(end: date, notice: Duration, lead: Duration) -> date:
    return shift(notice_deadline(end, notice), lead, -1)


def days_left(target: date, today: date) -> int:
    """Calendar days from `today` (in the organisation's time zone) to `target`."""
    return (target - today).days


def term_end(anchor: date, term: Duration, renewals: int) -> date:
    """The end after `renewals` tacit renewals of `term`, counted from `anchor`."""
    return shift(anchor, scale(term, renewals))


def renewals_needed(anchor: date, term: Duration, renewals: int, today: date) -> int:
    """The smallest count ≥ `renewals` whose end is today or later (an end day is still in force).

    A zero term would never catch up: it is refused instead of looping (GLPI's infinite loop).
    """
    if term.is_zero or not term.is_calendar:
        raise ValueError("a tacit renewal needs a term of at least one day or month")
    count = renewals
    if term_end(anchor, term, count) >= today:
        return count
    if term.days:
        gap = (today - anchor).days
        count = max(count, -(-gap // term.days))  # ceiling division
    else:
        months_gap = (today.year - anchor.year) * 12 + today.month - anchor.month
        count = max(count, months_gap // term.months - 1)
    while term_end(anchor, term, count) < today:
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class EndTransition:
    """What happens to a contract whose end date has passed."""

    status: Status
    renewals: int  # the new renewal count (unchanged unless tacitly renewed)
    end: date


def after_end(
    *, status: Status, renewal: Renewal, end: date, anchor: date, term: Duration, renewals: int, today: date
) -> EndTransition | None:
    """None while the end is today or ahead, or the contract is not in force."""
    if end >= today or status in CLOSED_STATUSES or status == Status.DRAFT:
        return None
    if status == Status.NOTICE_GIVEN:
        return EndTransition(Status.TERMINATED, renewals, end)
    if renewal == Renewal.AUTO:
        count = renewals_needed(anchor, term, renewals, today)
        return EndTransition(status, count, term_end(anchor, term, count))
    return EndTransition(Status.EXPIRED, renewals, end)


@dataclass(frozen=True, slots=True)
class ThresholdDecision:
    post: int | None  # the threshold to post now, if any
    superseded: tuple[int, ...]  # due thresholds skipped because a more urgent one is posted


def decide_threshold(act_by_date: date, today: date, thresholds: Iterable[int], handled: set[int]) -> ThresholdDecision:
    """Which deadline alert is due today.

    Every threshold `t` is due once fewer than `t` days are left. Of the due thresholds not yet
    handled (posted or superseded), only the most urgent is posted — after a gap (the bot was down,
    a snooze ended) people get one alert, not a burst — and the others are marked superseded.
    A threshold less urgent than one already handled never comes back.
    """
    left = days_left(act_by_date, today)
    floor = min(handled, default=None)
    pending = sorted(t for t in set(thresholds) if left <= t and t not in handled and (floor is None or t < floor))
    if not pending:
        return ThresholdDecision(None, ())
    return ThresholdDecision(pending[0], tuple(pending[1:]))
