"""The iCalendar feed of act-by and end dates (`contractbot export ical`): presentation, no session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from bot.deadlines import CLOSED_STATUSES


def calendar_feed(contracts: Iterable[Any], *, now: datetime) -> str:
    """Act-by and end dates as all-day events, one calendar a manager can subscribe to."""
    calendar = Calendar()
    calendar.add("prodid", "-//contractbot//contracts//EN")
    calendar.add("version", "2.0")
    for c in contracts:
        if c.status in CLOSED_STATUSES:
            continue
        for kind, day, summary in (
            ("act-by", c.act_by, f"Act by: {c.reference} {c.title} ({c.vendor.name})"),
            ("end", c.end_date, f"Ends: {c.reference} {c.title} ({c.vendor.name})"),
        ):
            event = Event()
            event.add("uid", f"{c.reference}-{kind}-{day.isoformat()}@contractbot")
            event.add("dtstamp", now)
            event.add("dtstart", day)
            if day < date.max:  # a contract ending 9999-12-31 (stored before dates were bounded)
                event.add("dtend", day + timedelta(days=1))
            event.add("summary", summary)
            event.add("description", f"Renewal: {c.renewal}; notice: {c.notice.written()}; notice deadline: "
                                     f"{c.notice_deadline.isoformat()}; act-by: {c.act_by.isoformat()}")
            calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
