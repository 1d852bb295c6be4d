"""A listing's rows (`/renewals`, `/contract list`): the few columns a line shows, not whole contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from storage.models import Contract, Vendor


@dataclass(frozen=True, slots=True)
class VendorName:
    name: str


@dataclass(frozen=True, slots=True)
class Listed:
    """What a listing line shows of a contract (bot.render.contracts._line), read as columns: loading
    200 whole mapped contracts and their vendors cost more than the query itself."""
    id: int
    reference: str
    title: str
    vendor: VendorName
    status: str
    act_by: date
    end_date: date
    renewal: str
    term: Any
    annual_value: Decimal | None
    currency: str


_LISTED = (Contract.id, Contract.reference, Contract.title, Vendor.name, Contract.status, Contract.act_by,
           Contract.end_date, Contract.renewal, Contract.term, Contract.annual_value, Contract.currency)


def listed(session: Session, *conditions: ColumnElement[bool], order: tuple[Any, ...], limit: int) -> list[Listed]:
    stmt = select(*_LISTED).join(Vendor, Vendor.id == Contract.vendor_id).where(*conditions).order_by(*order)
    return [Listed(i, ref, title, VendorName(vendor), status, act_by, end, renewal, term, value, currency)
            for i, ref, title, vendor, status, act_by, end, renewal, term, value, currency
            in session.execute(stmt.limit(limit))]
