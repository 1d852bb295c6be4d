"""`until:` / `term:` of a renewal are read the same way for `/contract renew` and the renew form."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.contract_input import InputError, read_renewal
from bot.durations import Duration
from tests.conftest import at

PARIS = ZoneInfo("Europe/Paris")
NOW = at("2026-11-23T10:00:00+00:00")


def test_until_or_term_or_neither() -> None:
    assert read_renewal({"until": "2028-03-31"}, tz=PARIS, now=NOW) == (date(2028, 3, 31), None)
    assert read_renewal({"term": "2y"}, tz=PARIS, now=NOW) == (None, Duration(months=24))
    assert read_renewal({"note": "x"}, tz=PARIS, now=NOW) == (None, None)


@pytest.mark.parametrize(("raw", "field", "problem"), [
    ({"until": "2028-03-31", "term": "1y"}, "term", "until_or_term"),
    ({"until": "31/02/2028"}, "until", "bad_date"),
    ({"term": "soon"}, "term", "bad_duration"),
    ({"term": "0d"}, "term", "zero_term"),
    ({"term": "4h"}, "term", "calendar_duration"),
])
def test_bad_renewals_are_refused_with_the_field(raw: dict[str, str], field: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        read_renewal(raw, tz=PARIS, now=NOW)
    assert (caught.value.field, caught.value.problem) == (field, problem)
