"""Vendors: found by name ignoring case and accents, created on first use."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.text import fold
from storage.models import Vendor


def get_by_name(session: Session, *, name: str) -> Vendor | None:
    return session.scalar(select(Vendor).where(Vendor.name_key == fold(name)))


def get_or_create(session: Session, *, name: str, now: datetime) -> Vendor:
    vendor = get_by_name(session, name=name)
    if vendor is None:
        vendor = Vendor(name=name.strip(), name_key=fold(name), created_at=now)
        session.add(vendor)
        session.flush()
    return vendor


def get_all(session: Session) -> Sequence[Vendor]:
    return session.scalars(select(Vendor).order_by(Vendor.name)).all()
