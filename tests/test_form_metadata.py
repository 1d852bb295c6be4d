"""The renew form carries its context as JSON: any reference survives the round trip; junk is refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.modals import read_renew_metadata, renew_modal


@given(reference=st.text(min_size=1, max_size=64), alert_id=st.one_of(st.none(), st.integers(1, 2**31)),
       lang=st.sampled_from(["en", "fr"]))
def test_round_trip_keeps_any_reference(reference: str, alert_id: int | None, lang: str) -> None:
    view = renew_modal(lang, reference=reference, alert_id=alert_id)
    form = read_renew_metadata(view["private_metadata"])
    assert form is not None
    assert (form.reference, form.alert_id, form.lang) == (reference, alert_id, lang)


def test_a_reference_with_a_pipe_is_no_longer_split() -> None:
    form = read_renew_metadata(renew_modal("en", reference="A|B|C", alert_id=7)["private_metadata"])
    assert form is not None and form.reference == "A|B|C" and form.alert_id == 7


@pytest.mark.parametrize("raw", [None, "", "RNW-1|3|en", "[]", json.dumps({"alert_id": 3}), "{"])
def test_unreadable_metadata_is_refused(raw: str | None) -> None:
    assert read_renew_metadata(raw) is None
