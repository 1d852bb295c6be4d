"""Signed requests already seen (replay refusal): one row per accepted signature, purged after the window."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from storage.inserts import insert_new
from storage.models import SeenRequest


def remember(session: Session, *, signature: str, now: datetime) -> bool:
    """True the first time a signature is seen, False when it was already seen (a replay)."""
    return insert_new(session, SeenRequest, key="signature", signature=signature, seen_at=now)


def delete_older_than(session: Session, *, before: datetime) -> int:
    """Forget signatures seen before `before` (they are refused as stale by their timestamp anyway)."""
    # a DML statement's result is a CursorResult (Session.execute is typed for SELECT)
    result = cast(CursorResult[Any], session.execute(delete(SeenRequest).where(SeenRequest.seen_at < before)))
    return int(result.rowcount or 0)
