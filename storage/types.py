"""Column types: datetimes are always aware and stored in UTC, on SQLite and PostgreSQL alike; durations
are `Duration`s in Python and the text they were written in (`12mo`, `1y`, `2w`, `15d`) in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.durations import Duration, parse_duration


class UTCDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes; returns aware UTC datetimes (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class DurationType(TypeDecorator[Duration]):
    """A `Duration` stored as written, in the short notation (`Duration.written`: `12mo` stays `12mo`, `1y`
    stays `1y`; what the CHECK of the column accepts, migration 0011); read back as a `Duration` in that unit. Anything else given is a programming error (TypeError): a
    text must be parsed — as user input, with its own error message — before it reaches the database."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: Duration | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Duration):
            raise TypeError(f"a Duration goes into a duration column, not {type(value).__name__} {value!r:.40}")
        text = value.written()
        if parse_duration(text) != value:  # two units at once, or beyond the bounds: its text would lie
            raise ValueError(f"{value!r} has no text that reads back the same")
        return text

    def process_result_value(self, value: Any, dialect: Dialect) -> Duration | None:
        return None if value is None else parse_duration(value)

