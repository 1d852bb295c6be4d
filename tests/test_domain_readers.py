"""The readers the slash commands and the CSV imports share, in the pure domain: one rule, one error."""

from __future__ import annotations

import pytest

from bot.contract_values import ContractValues, InputError, require
from bot.durations import parse_duration
from bot.errors import DomainError
from bot.sla import Clock, read_clock, read_target, target_minutes_24x7


@pytest.mark.parametrize(("text", "minutes", "canonical"), [("4h", 240, "4h"), ("30min", 30, "30min"),
                                                          ("2d", 2880, "2d"), ("1bd", 1440, "1bd"),
                                                          ("240 minutes", 240, "4h")])
def test_a_target_reads_as_its_duration(text: str, minutes: int, canonical: str) -> None:
    duration = read_target("response", text)
    assert target_minutes_24x7(duration) == minutes
    assert duration == parse_duration(canonical) and duration.canonical() == canonical


@pytest.mark.parametrize("text", ["", "0h", "3mo", "soon", "4 hours please"])
def test_a_bad_target_is_one_domain_error_naming_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        read_target("resolution", text)
    assert caught.value.key == "err_bad_target"
    assert caught.value.values == {"field": "resolution", "value": text}


@pytest.mark.parametrize(("text", "clock"), [(None, Clock.TWENTY_FOUR_SEVEN), ("", Clock.TWENTY_FOUR_SEVEN),
                                             ("24/7", Clock.TWENTY_FOUR_SEVEN), ("Business", Clock.BUSINESS)])
def test_a_clock_is_read_alike_from_slash_and_csv(text: str | None, clock: Clock) -> None:
    assert read_clock(text) is clock


def test_an_unknown_clock_is_refused_with_what_was_typed() -> None:
    with pytest.raises(DomainError) as caught:
        read_clock("office hours")
    assert (caught.value.key, caught.value.values) == ("err_bad_clock", {"value": "office hours"})


def test_a_missing_contract_field_is_a_domain_error_presentation_can_translate() -> None:
    values = ContractValues(reference="CTR-1", given={"reference"})
    with pytest.raises(InputError) as caught:
        require(values, "reference", "end")
    assert isinstance(caught.value, DomainError)
    assert (caught.value.key, caught.value.values) == ("err_required", {"field": "end", "value": ""})
    assert (caught.value.field, caught.value.problem) == ("end", "required")
