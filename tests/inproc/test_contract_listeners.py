"""Listener behaviour with a fixed clock: "today" is the organisation's day (Europe/Paris here), taken
once from the clock, so answers near midnight and month ends are exact rather than racing the wall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.app import create_app
from bot.clock import FixedClock
from storage.models import AuditEvent, Contract
from tests.inproc.conftest import InProcess


def _count(inproc: InProcess, model: type) -> int:
    with inproc.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_days_left_follow_the_organisation_day_across_midnight(inproc: InProcess) -> None:
    # 22:30 UTC on 31 January is 23:30 in Paris: still the 31st there.
    inproc.set_now(datetime(2027, 1, 31, 22, 30, tzinfo=UTC))
    added = inproc.command("add CTR-MID title:Midnight vendor:Acme end:2027-03-31 notice:1mo")
    assert added["response_type"] == "in_channel"
    card = inproc.command("status CTR-MID")
    # act-by = 31 March − 1 month = 28 February 2027: 28 days from 31 January.
    assert "28 days left" in card["text"]
    # 23:30 UTC is 00:30 on 1 February in Paris: a new day, one day fewer.
    inproc.set_now(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    assert "27 days left" in inproc.command("status CTR-MID")["text"]


def test_renewals_window_counts_from_the_fixed_day(inproc: InProcess) -> None:
    inproc.set_now(datetime(2027, 2, 27, 12, 0, tzinfo=UTC))
    inproc.command("add CTR-IN title:Inside vendor:Acme end:2027-03-29")
    inproc.command("add CTR-OUT title:Outside vendor:Acme end:2027-03-30")
    listed = inproc.command("next 30 days", command="/renewals")["text"]
    # 27 February + 30 days = 29 March: the first is in the window, the second is not.
    assert "CTR-IN" in listed
    assert "CTR-OUT" not in listed


def test_bad_input_is_refused_with_the_usage_and_changes_nothing(inproc: InProcess) -> None:
    before = (_count(inproc, Contract), _count(inproc, AuditEvent))
    answer = inproc.command("add CTR-BAD title:Bad vendor:Acme end:2027-03-31 start:2027-04-30")
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert "/contract add" in answer["text"] or "Usage" in str(answer.get("blocks"))
    assert (_count(inproc, Contract), _count(inproc, AuditEvent)) == before
    # Positive control: the same command with a sane start is accepted and writes.
    inproc.command("add CTR-GOOD title:Good vendor:Acme end:2027-03-31 start:2026-04-01")
    assert (_count(inproc, Contract), _count(inproc, AuditEvent)) != before


class _TickingClock:
    """A real clock for tests that moves on an hour at every reading and counts the readings: a request
    that read it twice would see two times (and, near midnight, two days)."""

    def __init__(self, start: datetime) -> None:
        self.at, self.readings = start, 0

    def now(self) -> datetime:
        self.readings += 1
        self.at += timedelta(hours=1)
        return self.at


def test_a_request_reads_the_clock_once(inproc: InProcess) -> None:
    inproc.command("add CTR-ONCE title:Once vendor:Acme end:2027-03-31 notice:1mo")
    clock = _TickingClock(datetime(2027, 1, 31, 22, 30, tzinfo=UTC))  # 23:30 in Paris, then past midnight
    app, _ = create_app(inproc.settings, inproc.session_factory, clock, process_before_response=True)
    once = InProcess(app, inproc.fake, FixedClock(clock.at), inproc.session_factory, inproc.settings, _seq=100)
    card = once.command("status CTR-ONCE")
    assert clock.readings == 1
    assert "27 days left" in card["text"]  # 00:30 on 1 February in Paris: act-by 28 February
    renewed = once.command("renew CTR-ONCE until:2028-03-31")
    assert clock.readings == 2, "a write reads the clock once too (validation, the write, the audit, the reply)"
    assert "CTR-ONCE" in renewed["text"]
