"""Reading rows so that one unreadable row (a date out of range written behind the bot's back, say)
does not hide all the others: try the whole query, and only if it fails read the rows one by one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, SQLColumnExpression
from sqlalchemy.orm import Session


def read_each(session: Session, stmt: Select[*tuple[Any, ...]], *, key: SQLColumnExpression[Any],
              label: SQLColumnExpression[Any],
              scalars: bool = False) -> tuple[list[Any], list[tuple[str, Exception]]]:
    """The rows of `stmt`, and (label, error) for each row that could not be read. `key` identifies a
    row (its id), `label` names it in reports (a reference); both must be readable columns."""
    run = session.scalars if scalars else session.execute
    try:
        return list(run(stmt).all()), []
    except Exception:  # noqa: BLE001 - any decoding error: fall back to one row at a time
        pass
    rows: list[Any] = []
    bad: list[tuple[str, Exception]] = []
    for row_key, row_label in session.execute(stmt.with_only_columns(key, label)).all():
        try:
            rows.extend(run(stmt.where(key == row_key)).all())
        except Exception as exc:  # noqa: BLE001
            bad.append((str(row_label), exc))
    return rows, bad
