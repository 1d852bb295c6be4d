"""Price revision by an index (indexation), pure and exact: Decimal only, no float anywhere.

Formula: P = P_ref × (fixed + (1 − fixed) × S / S_ref), where
- mode `base`: P_ref = P0 (the annual value at the base) and S_ref = S0 (the index of the base month),
  every year, whatever was revised before;
- mode `chained`: P_ref and S_ref are the last revised price and the index it was revised with (P0 and
  S0 before the first revision) — S/S0 is never applied to a price already revised from S0.

Then, against the price in force (the current one):
- a change strictly below `min` % (in absolute value) revises nothing;
- a change above `cap` % (in absolute value) is limited to `cap` % (up or down);
- the result is rounded to a multiple of `round` (default 0.01), half up.
The quotient is taken once, at the end, so rounding sees the exact value (to 60 digits).

Which index value is S (`pick_s`): with `lag` N ≥ 1, the value of the month N months before the
revision date's month; with `lag` 0 (the default), the last value published by the revision date.
A value counts as published on its `published` date when one was recorded, else by convention on the
last day of the following month (Syntec publishes month M around the end of M+1).

Revision dates roll from `first` by `every` months without drift: the k-th is first + k × every,
clamped to the month's end (31 Jan + 1 month = 28/29 Feb, + 2 months = 31 Mar).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.durations import Duration, add_months

MODES = ("base", "chained")
_CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP)
HUNDRED = Decimal(100)


def month_start(day: date) -> date:
    return day.replace(day=1)


def conventional_publication(month: date) -> date:
    """The last day of the month after `month` (when a value with no recorded publication date counts)."""
    after_next = add_months(month_start(month), 2)
    return date.fromordinal(after_next.toordinal() - 1)


def effective_publication(month: date, published_on: date | None) -> date:
    return published_on or conventional_publication(month)


def revision_date(first: date, every_months: int, k: int) -> date:
    """The k-th revision date (k = 0 is `first`), counted from `first` so month ends do not drift."""
    return add_months(first, k * every_months)


def revision_index_after(first: date, every_months: int, day: date) -> int:
    """The smallest k whose revision date is strictly after `day` (0 when `first` is after it)."""
    if every_months <= 0:
        raise ValueError("every must be at least one month")
    if first > day:
        return 0
    months = (day.year - first.year) * 12 + (day.month - first.month)
    k = max(0, months // every_months - 1)
    while revision_date(first, every_months, k) <= day:
        k += 1
    return k


@dataclass(frozen=True, slots=True)
class IndexPoint:
    month: date  # first day of the month
    value: Decimal
    published_on: date | None = None

    @property
    def known_from(self) -> date:
        return effective_publication(self.month, self.published_on)


@dataclass(frozen=True, slots=True)
class Missing:
    """The index value the computation needs and that is not recorded yet."""

    month: date


def pick_s(points: Mapping[date, IndexPoint], *, at: date, lag: int) -> IndexPoint | Missing:
    """S for a revision on `at`: the month `lag` months before, or (lag 0) the last value published by then.

    With lag 0, the month expected by the publication convention must be recorded unless a newer
    value is already known (published early), or the expected month's recorded value was published
    late (then the last value published by `at` is used)."""
    if lag > 0:
        month = add_months(month_start(at), -lag)
        point = points.get(month)
        return point if point is not None else Missing(month)
    expected = add_months(month_start(at), -1)
    while conventional_publication(expected) > at:
        expected = add_months(expected, -1)
    known = [p for p in points.values() if p.known_from <= at]
    best = max(known, key=lambda p: p.month) if known else None
    if best is not None and (best.month >= expected or expected in points):
        return best
    return Missing(expected)


@dataclass(frozen=True, slots=True)
class Terms:
    fixed: Decimal = Decimal(0)
    min_pct: Decimal | None = None
    cap_pct: Decimal | None = None
    round_to: Decimal = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Outcome:
    formula_value: Decimal  # P_ref × (fixed + (1 − fixed) × S / S_ref), exact to 60 digits
    change_pct: Decimal  # of the formula value against the current price, exact to 60 digits
    below_min: bool
    capped: bool
    new_value: Decimal  # what the contract's annual value becomes (the current price when below min)

    @property
    def revises(self) -> bool:
        return not self.below_min


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """`value` rounded to a multiple of `step`, half up (away from zero on a tie)."""
    if step <= 0:
        raise ValueError("the rounding step must be positive")
    units = _CONTEXT.divide(value, step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    places = min(int(step.as_tuple().exponent), -2)
    return _CONTEXT.multiply(units, step).quantize(Decimal(1).scaleb(places))


def revise(*, p_ref: Decimal, s_ref: Decimal, s: Decimal, current: Decimal, terms: Terms) -> Outcome:
    """One revision (see the module docstring for the rules)."""
    if s_ref <= 0 or s <= 0:
        raise ValueError("index values must be positive")
    if not Decimal(0) <= terms.fixed <= Decimal(1):
        raise ValueError("fixed must lie between 0 and 1")
    c = _CONTEXT
    numerator = c.multiply(p_ref, c.add(c.multiply(terms.fixed, s_ref), c.multiply(c.subtract(1, terms.fixed), s)))
    formula = c.divide(numerator, s_ref)
    if current == 0:
        change = Decimal(0)
    else:
        change = c.divide(c.multiply(c.subtract(formula, current), HUNDRED), current)
    below_min = terms.min_pct is not None and abs(change) < terms.min_pct
    capped = False
    target = formula
    if below_min:
        return Outcome(formula, change, True, False, current)
    if terms.cap_pct is not None and abs(change) > terms.cap_pct:
        capped = True
        sign = 1 if change > 0 else -1
        target = c.divide(c.multiply(current, c.add(HUNDRED, sign * terms.cap_pct)), HUNDRED)
    return Outcome(formula, change, False, capped, round_to_step(target, terms.round_to))


def references(*, mode: str, p0: Decimal, s0: Decimal, last_value: Decimal | None, last_index: Decimal | None
               ) -> tuple[Decimal, Decimal]:
    """(P_ref, S_ref) for the mode: base → (P0, S0); chained → the last revision's, else (P0, S0)."""
    if mode == "chained" and last_value is not None and last_index is not None:
        return last_value, last_index
    return p0, s0


@dataclass(slots=True)
class ClauseInput:
    """The terms of a revision clause as given; `given` names the options set (the others unchanged)."""

    index: str | None = None
    base: date | None = None
    fixed: Decimal | None = None
    every_months: int | None = None
    every: Duration | None = None  # as written (`12mo`, `1y`): what the clause stores and shows
    first: date | None = None
    mode: str | None = None
    lag: int | None = None
    min_pct: Decimal | None = None
    cap_pct: Decimal | None = None
    round_to: Decimal | None = None
    given: set[str] = field(default_factory=set)
