"""Price index values as CSV (`contractbot import index NAME FILE`): reading the rows.

Presentation: it reads and checks every row with the readers of `/index set` (`bot.revision_input`);
the caller's session and the writes are storage's (`storage.indices.set_values`). All-or-nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.revision_input import read_index_value, read_month
from storage import indices

CSV_COLUMNS = ("month", "value", "published")


class IndexImportRejected(Exception):
    def __init__(self, errors: list[tuple[int, str, dict[str, object]]]) -> None:
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors  # (line, catalog key, values)


def read_rows(text: str) -> list[tuple[date, Decimal, date | None]]:
    """`month,value,published` rows, each checked; IndexImportRejected lists every bad one with its line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("month", "value") if c not in columns]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if missing or unknown:
        raise IndexImportRejected([(1, "err_index_csv_columns",
                                    {"missing": ", ".join(missing) or "—", "unknown": ", ".join(unknown) or "—"})])
    good: list[tuple[date, Decimal, date | None]] = []
    errors: list[tuple[int, str, dict[str, object]]] = []
    seen: dict[date, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append((line, "err_index_csv_cells", {}))
            continue
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            month = read_month(cells.get("month"))
            value = read_index_value(cells.get("value"))
            published = date.fromisoformat(cells["published"]) if cells.get("published") else None
        except DomainError as exc:
            errors.append((line, exc.key, dict(exc.values)))
            continue
        except ValueError:
            errors.append((line, "err_index_csv_published", {"value": cells.get("published", "")[:40]}))
            continue
        if published is not None and published < month:
            errors.append((line, "err_index_published_before", {"month": month.strftime("%Y-%m"),
                                                                 "published": published.isoformat()}))
            continue
        if month in seen:
            errors.append((line, "err_index_csv_duplicate", {"month": month.strftime("%Y-%m"), "line": seen[month]}))
            continue
        seen[month] = line
        good.append((month, value, published))
    if errors:
        raise IndexImportRejected(errors)
    return good


def import_csv(session: Session, *, name: str, text: str, actor: str, now: datetime) -> tuple[int, int, int]:
    """Every row or none; returns (added, corrected, unchanged)."""
    return indices.set_values(session, name=name, rows=read_rows(text), actor=actor, now=now)
