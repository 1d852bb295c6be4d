"""The dispute rules, pure: every (from, to) move against a table written from the spec's words, the
amount written off, the recovered-above-claimed guard, and when the stale reminder comes due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import disputes as rules
from bot.errors import DomainError

STATUSES = ["open", "negotiating", "escalated", "mediation", "litigation", "settled", "closed"]
# The spec, word for word: "from any status that is not settled or closed to any later-stage or terminal one
# (negotiating, escalated, mediation, litigation, settled, closed, in any order except back to open);
# settled → closed; closed → open only as a reopening, with a note."
LATER = {"negotiating", "escalated", "mediation", "litigation", "settled", "closed"}
EXPECTED = {
    **{s: LATER - {s} for s in ("open", "negotiating", "escalated", "mediation", "litigation")},
    "settled": {"closed"},
    "closed": {"open"},
}


@pytest.mark.parametrize("before", STATUSES)
@pytest.mark.parametrize("after", STATUSES)
def test_every_move_follows_the_spec_table(before: str, after: str) -> None:
    allowed = after in EXPECTED[before]
    assert (after in rules.allowed_moves(before)) == allowed
    if allowed:
        move = rules.check_move(before, after, note="why")
        assert (move.before, move.after) == (before, after)
        assert move.kind == ("reopen" if before == "closed" else "move")
    elif before == after and before != "closed":
        assert rules.check_move(before, after, note="a note").kind == "note"  # a note, no move
        with pytest.raises(DomainError):
            rules.check_move(before, after, note=None)
    else:
        with pytest.raises(DomainError) as refused:
            rules.check_move(before, after, note="why")
        assert refused.value.key == "err_dispute_move"
        # the refusal names exactly the allowed moves
        named = set(str(refused.value.values["allowed"]).split(", ")) - {"—"}
        assert named == EXPECTED[before]


def test_reopening_needs_a_note() -> None:
    with pytest.raises(DomainError) as refused:
        rules.check_move("closed", "open", note=None)
    assert refused.value.key == "err_dispute_reopen_note"
    assert rules.check_move("closed", "open", note="vendor reneged").kind == "reopen"


def test_statuses_read_in_english_and_french() -> None:
    assert [rules.read_status(s) for s in STATUSES] == STATUSES
    assert rules.read_status("Médiation") == "mediation" and rules.read_status("clos") == "closed"
    assert rules.read_status("frobbed") is None and rules.read_status("") is None


cents = st.integers(min_value=0, max_value=10**13).map(lambda n: Decimal(n) / 100)


@given(claimed=cents, recovered=cents)
def test_written_off_is_claimed_minus_recovered_never_negative(claimed: Decimal, recovered: Decimal) -> None:
    lost = rules.written_off(claimed, recovered)
    assert lost is not None and lost >= 0
    assert lost + min(recovered, claimed) == claimed  # what is not recovered is written off, to the cent


@given(claimed=cents, recovered=cents)
def test_recovered_above_claimed_needs_force(claimed: Decimal, recovered: Decimal) -> None:
    rules.check_recovered(claimed, recovered, force=True)
    if recovered > claimed:
        with pytest.raises(DomainError):
            rules.check_recovered(claimed, recovered, force=False)
    else:
        rules.check_recovered(claimed, recovered, force=False)


@given(minutes=st.integers(min_value=0, max_value=10**6), snooze=st.none() | st.integers(-10**6, 10**6))
def test_the_reminder_comes_due_14_days_after_the_last_change_or_when_a_snooze_ends(
        minutes: int, snooze: int | None) -> None:
    last = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    until = None if snooze is None else last + timedelta(minutes=snooze)
    due = rules.reminder_due_from(last, until)
    fourteen_days = last + timedelta(days=14)
    assert due == (fourteen_days if until is None or until < fourteen_days else until)
