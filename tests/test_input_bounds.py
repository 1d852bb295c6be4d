"""The bounds on what people type (bot/bounds.py), checked where they are read: dates 1900–2200,
durations of at most 100 years, references, option sizes, search words, CSV cells — each against an
independent reference (plain arithmetic on years, months and days), on both database backends where
storage is involved."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot import bounds
from bot.contract_input import InputError, read_contract_fields, read_renewal
from bot.csv_io import export_contracts, import_contracts, read_rows
from bot.csv_safe import FORMULA_STARTS, safe_cell, unsafe_cell
from bot.dates import DateError, DateOutOfRange, parse_date, parse_period, parse_when, parse_window
from bot.durations import Duration, DurationError, DurationOutOfRange, parse_duration
from bot.errors import DomainError
from bot.grammar import GrammarError, parse
from storage import contracts
from storage.contracts import Defaults
from storage.models import Contract

TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FAST = settings(max_examples=200, deadline=None)


# ---- dates -------------------------------------------------------------------------------------------

@FAST
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_iso_and_dmy_dates_are_accepted_exactly_between_1900_and_2200(day: date) -> None:
    inside = 1900 <= day.year <= 2200  # the reference: the spec's sentence, on the year alone
    for text in (day.isoformat(), f"{day.day:02d}/{day.month:02d}/{day.year:04d}"):
        if inside:
            assert parse_date(text, tz=TZ, now=NOW) == day
        else:
            with pytest.raises(DateOutOfRange):
                parse_date(text, tz=TZ, now=NOW)


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31", "9999-12-31T23:59"])
def test_moments_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(DateOutOfRange):
        parse_when(text, tz=TZ, now=NOW)


@pytest.mark.parametrize("text", ["in 99999 years", "dans 99999 ans"])
def test_relative_dates_past_the_calendar_are_not_dates(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, tz=TZ, now=NOW)


@pytest.mark.parametrize("text", ["before 9999-01-01", "in december 9999", "before 2201-01-01"])
def test_windows_reaching_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(DateOutOfRange):
        parse_window(text, tz=TZ, now=NOW)


@pytest.mark.parametrize("text", ["9999-12", "since 1800-01-01", "12/9999"])
def test_periods_reaching_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text, tz=TZ, now=NOW)


def test_the_edges_are_inside() -> None:
    assert parse_window("before 2200-12-31", tz=TZ, now=NOW).end == date(2200, 12, 31)
    assert parse_date("1900-01-01", tz=TZ, now=NOW) == bounds.MIN_DATE


# ---- durations ---------------------------------------------------------------------------------------

UNITS = {"y": ("months", 12), "mo": ("months", 1), "w": ("days", 7), "d": ("days", 1), "bd": ("business_days", 1),
         "h": ("minutes", 60), "min": ("minutes", 1)}
LIMITS = {"months": 1200, "days": 36_525, "business_days": 26_100, "minutes": 36_525 * 24 * 60}


@FAST
@given(st.integers(0, 99_999), st.sampled_from(sorted(UNITS)))
def test_durations_are_accepted_up_to_100_years(n: int, unit: str) -> None:
    field, factor = UNITS[unit]
    if n * factor <= LIMITS[field]:
        assert parse_duration(f"{n}{unit}") == Duration(**{field: n * factor})
    else:
        with pytest.raises(DurationOutOfRange):
            parse_duration(f"{n}{unit}")


def test_an_out_of_range_duration_is_still_a_duration_error() -> None:
    assert issubclass(DurationOutOfRange, DurationError)
    assert parse_duration("100y") == Duration(months=1200)


# ---- the contract reader: every entry (slash options, the form, CSV cells) --------------------------

@pytest.mark.parametrize("raw, field, problem", [
    ({"term": "99999y"}, "term", "duration_out_of_range"),
    ({"notice": "101y"}, "notice", "duration_out_of_range"),
    ({"lead": "1201mo"}, "lead", "duration_out_of_range"),
    ({"end": "0001-01-01"}, "end", "date_out_of_range"),
    ({"start": "31/12/1899"}, "start", "date_out_of_range"),
    ({"reference": "<!here>"}, "reference", "reference_format"),
    ({"reference": "a b"}, "reference", "reference_format"),
    ({"reference": "CTR&1"}, "reference", "reference_format"),
    ({"reference": "x" * 65}, "reference", "reference_format"),
    ({"title": "t" * 301}, "title", "text_over_limit"),
    ({"vendor": "v" * 201}, "vendor", "text_over_limit"),
    ({"owner": "<@U" + "A" * 40 + ">"}, "owner", "bad_user"),
    ({"channel": "<#C" + "A" * 40 + ">"}, "channel", "bad_channel"),
])
def test_the_reader_refuses_with_a_reason(raw: dict[str, str], field: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        read_contract_fields(raw, tz=TZ, now=NOW)
    assert (caught.value.field, caught.value.problem) == (field, problem)


def test_the_renew_reader_refuses_out_of_range() -> None:
    with pytest.raises(InputError) as caught:
        read_renewal({"until": "9999-12-31"}, tz=TZ, now=NOW)
    assert caught.value.problem == "date_out_of_range"
    with pytest.raises(InputError) as caught:
        read_renewal({"term": "99999y"}, tz=TZ, now=NOW)
    assert caught.value.problem == "duration_out_of_range"
    with pytest.raises(InputError) as caught:
        read_renewal({"term": "1y", "note": "n" * 1001}, tz=TZ, now=NOW)
    assert (caught.value.field, caught.value.problem) == ("note", "text_over_limit")


@FAST
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_./:", min_size=1, max_size=64))
def test_every_reference_of_the_allowed_alphabet_is_accepted(reference: str) -> None:
    assert read_contract_fields({"reference": reference}, tz=TZ, now=NOW).reference == reference


@FAST
@given(st.text(min_size=1, max_size=80))
def test_references_are_exactly_the_allowed_alphabet(text: str) -> None:
    stripped = text.strip()
    allowed = 0 < len(stripped) <= 64 and all(c in string.ascii_letters + string.digits + "-_./:" for c in stripped)
    if not stripped:
        return  # a blank cell is "not given"
    if allowed:
        assert read_contract_fields({"reference": text}, tz=TZ, now=NOW).reference == stripped
    else:
        with pytest.raises(InputError):
            read_contract_fields({"reference": text}, tz=TZ, now=NOW)


def test_control_characters_never_reach_a_title() -> None:
    values = read_contract_fields({"title": "a\x1b[31mred\x00"}, tz=TZ, now=NOW)
    assert values.title is not None and "\x1b" not in values.title and "\x00" not in values.title


# ---- the grammar -------------------------------------------------------------------------------------

def test_an_option_over_its_bound_is_refused_not_cut() -> None:
    with pytest.raises(GrammarError) as caught:
        parse('add X title:"' + "t" * 301 + '"', {"title"})
    assert caught.value.reason == "option_too_long" and caught.value.details["limit"] == "300"
    assert parse('add X title:"' + "t" * 300 + '"', {"title"}).options["title"] == "t" * 300
    with pytest.raises(GrammarError):
        parse('amend X note:"' + "n" * 1001 + '"', {"note"})


def test_text_over_3000_characters_is_refused() -> None:
    with pytest.raises(GrammarError) as caught:
        parse("x" * 3001)
    assert caught.value.reason == "text_too_long"


def test_a_search_uses_a_bounded_number_of_distinct_words() -> None:
    terms = [f"w{i}" for i in range(1400)] + ["w1"] * 10
    chosen = bounds.search_words(terms)
    assert len(chosen) == bounds.MAX_SEARCH_WORDS and len(set(chosen)) == len(chosen)
    assert bounds.search_words(["oracle", "db"]) == ["oracle", "db"]


# ---- CSV ---------------------------------------------------------------------------------------------

@FAST
@given(st.text(max_size=40))
def test_unsafe_cell_undoes_safe_cell(text: str) -> None:
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return  # already looks neutralised: the one text that cannot round-trip
    assert unsafe_cell(safe_cell(text)) == text


def test_an_oversize_csv_cell_is_a_bad_row() -> None:
    text = ("reference,title,vendor,end_date\nA-1,ok,v,2030-01-01\nA-2," + "x" * 140_000 + ",v,2030-01-01\n")
    errors: list[tuple[int, str]] = []
    good = list(read_rows(text, tz=TZ, now=NOW, errors=errors))
    assert [line for line, _ in good] == [2]
    assert [line for line, _ in errors] == [3] and "longer than" in errors[0][1]
    text = "reference,title,vendor,end_date\nA-3," + "x" * (bounds.MAX_CSV_CELL + 1) + ",v,2030-01-01\n"
    errors = []
    assert list(read_rows(text, tz=TZ, now=NOW, errors=errors)) == []
    assert [line for line, _ in errors] == [2]


# ---- storage (both backends) -------------------------------------------------------------------------

DEFAULTS = Defaults(currency="EUR", lead=Duration())


def _add(session: Session, ref: str, **extra: str) -> Contract:
    values = read_contract_fields({"reference": ref, "title": extra.pop("title", "T"), "vendor": "V",
                                   "end": "2030-12-31", **extra}, tz=TZ, now=NOW)
    return contracts.create(session, values=values, defaults=DEFAULTS, actor="U1", now=NOW)


def test_renewing_a_contract_ending_9999_is_refused_and_changes_nothing(
        session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        contract = _add(session, "OLD-1", renewal="auto", term="1y")
        session.execute(update(Contract).where(Contract.id == contract.id).values(end_date=date(9999, 12, 31)))
    for term in (None, Duration(months=12), Duration(days=1)):
        with session_factory() as session, pytest.raises(DomainError) as caught:
            contract = contracts.get_by_reference(session, reference="OLD-1")
            assert contract is not None
            contracts.renew(session, contract=contract, until=None, term=term, note=None, actor="U1", now=NOW)
        assert caught.value.key == "err_renew_out_of_range" and caught.value.values["max"] == "2200-12-31"
    with session_factory.begin() as session:
        contract = _add(session, "NEAR-1")
        session.execute(update(Contract).where(Contract.id == contract.id).values(end_date=date(2200, 6, 30)))
    with session_factory() as session, pytest.raises(DomainError):
        contract = contracts.get_by_reference(session, reference="NEAR-1")
        assert contract is not None
        contracts.renew(session, contract=contract, until=None, term=Duration(months=12), note=None, actor="U1",
                        now=NOW)
    with session_factory() as session:
        old = contracts.get_by_reference(session, reference="OLD-1")
        assert old is not None and old.end_date == date(9999, 12, 31)


def test_a_search_of_1400_words_runs(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        _add(session, "SRCH-1", title="Oracle database support")
    with session_factory() as session:
        assert contracts.search(session, query=" ".join(["zq"] * 1400)).contracts == []
        long_query = " ".join(f"word{i}" for i in range(1000)) + " oracle"
        assert contracts.search(session, query=long_query).contracts == []
        assert [c.reference for c in contracts.search(session, query="oracle support").contracts] == ["SRCH-1"]


def test_export_is_formula_safe_and_imports_back_unchanged(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        _add(session, "F-1", title="=1+2")
        _add(session, "F-2", title="+33 1 23 45 67 89")
        _add(session, "F-3", title="Plain & simple", value="120k", notice="3mo")
    with session_factory() as session:
        text, count = export_contracts(session)
    assert count == 3 and "\nF-1,'=1+2," in text and "\nF-2,'+33 1 23 45 67 89," in text
    with session_factory.begin() as session:
        report = import_contracts(session, text, defaults=DEFAULTS, tz=TZ, now=NOW)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    with session_factory() as session:
        assert contracts.get_by_reference(session, reference="F-1").title == "=1+2"  # type: ignore[union-attr]
