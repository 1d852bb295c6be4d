"""Money in the grammar: `120000`, `120k`, `1.5M`, `"120 000 €"`, `120 000,50 EUR`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import is_currency

_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "CHF": "CHF"}
_SUFFIX = {"k": Decimal(1000), "m": Decimal(1_000_000)}
_CODE = re.compile(r"\b([A-Z]{3})\b")


class MoneyError(ValueError):
    """The text is not an amount of money."""


def parse_money(text: str) -> tuple[Decimal, str | None]:
    """Return (amount rounded to the cent, currency code or None)."""
    raw = (text or "").strip()
    currency = None
    for symbol, code in _SYMBOLS.items():
        if symbol in raw:
            currency = code
            raw = raw.replace(symbol, "")
    found = _CODE.search(raw.upper())
    if found:
        if not is_currency(found.group(1)):
            raise MoneyError(text)
        currency = found.group(1)
        raw = re.sub(found.group(1), "", raw, flags=re.IGNORECASE)
    raw = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("_", "")
    multiplier = Decimal(1)
    if raw[-1:].lower() in _SUFFIX:
        multiplier = _SUFFIX[raw[-1].lower()]
        raw = raw[:-1]
    if "," in raw and "." in raw:
        raw = raw.replace(",", "")  # 1,200.50
    elif raw.count(",") == 1 and len(raw.split(",")[1]) <= 2:
        raw = raw.replace(",", ".")  # 1200,50 (French decimal comma)
    else:
        raw = raw.replace(",", "")  # 1,200,000
    if not re.fullmatch(r"\d+(\.\d+)?", raw):
        raise MoneyError(text)
    try:
        amount = (Decimal(raw) * multiplier).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regex
        raise MoneyError(text) from exc
    if amount > Decimal("999999999999.99"):
        raise MoneyError(text)
    return amount, currency


def parse_pct(text: str) -> Decimal:
    """`99.9`, `99,9 %`, `10%` → Decimal between 0 and 100."""
    raw = (text or "").replace("%", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(\.\d{1,4})?", raw):
        raise MoneyError(text)
    value = Decimal(raw)
    if value > 100:
        raise MoneyError(text)
    return value
