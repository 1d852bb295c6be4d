"""The disputes as CSV (`contractbot export disputes`), every cell through bot.csv_safe."""

from __future__ import annotations

import csv
import io
from datetime import UTC

from sqlalchemy.orm import Session

from bot.csv_safe import safe_row
from bot.disputes import CLOSED, written_off
from storage.disputes import get_all_for_export

HEADER = ("id,reference,summary,status,opened_at,opened_by,updated_at,amount_claimed,amount_recovered,"
          "amount_written_off,currency,outcome").split(",")


def export_disputes(session: Session) -> tuple[str, int]:
    """(CSV text, number of disputes). Instants in UTC ISO 8601; amounts with two decimals; written off
    only once the dispute is closed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = get_all_for_export(session)
    for d in rows:
        lost = written_off(d.amount_claimed, d.amount_recovered) if d.status == CLOSED else None
        writer.writerow(safe_row([
            d.number, d.contract.reference, d.summary, d.status, d.opened_at.astimezone(UTC).isoformat(),
            d.opened_by, d.updated_at.astimezone(UTC).isoformat(), d.amount_claimed, d.amount_recovered, lost,
            d.currency, d.outcome,
        ]))
    return out.getvalue(), len(rows)
