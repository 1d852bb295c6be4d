"""The command grammar (bot/grammar.py), dates and windows typed by people (bot/dates.py) and the
questions understood in DMs (bot/questions.py). Fixed clocks, organisation zone Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import grammar
from bot.dates import DateError, Window, parse_date, parse_when, parse_window
from bot.grammar import GrammarError
from bot.questions import Intent, understand

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)  # Friday 20 November 2026, 11:30 in Paris
TODAY = date(2026, 11, 20)
CONTRACT_OPTIONS = frozenset({"title", "vendor", "end", "start", "type", "notice", "renewal", "term", "lead", "value",
                              "currency", "owner", "channel", "note"})

# --------------------------------------------------------------------------------------------------
# grammar


def test_words_then_options() -> None:
    parsed = grammar.parse('add CTR-1 title:"Oracle DB support" vendor:Oracle end:2027-03-31', CONTRACT_OPTIONS)
    assert parsed.words == ["add", "CTR-1"]
    assert parsed.options == {"title": "Oracle DB support", "vendor": "Oracle", "end": "2027-03-31"}
    assert parsed.pop_word() == "add" and parsed.rest == "CTR-1"


@pytest.mark.parametrize(
    "text",
    [
        "add CTR-1 title:\u201cOracle DB support\u201d vendor:Oracle",  # Slack's smart quotes “ ”
        "add CTR-1 title:\u00abOracle DB support\u00bb vendor:Oracle",  # guillemets « »
        "add CTR-1 title:'Oracle DB support' vendor:Oracle",
        "add CTR-1 title:\u2018Oracle DB support\u2019 vendor:Oracle",
        '  add   CTR-1   title:"Oracle DB support"   vendor:Oracle  ',
    ],
)
def test_quotes(text: str) -> None:
    parsed = grammar.parse(text, CONTRACT_OPTIONS)
    assert parsed.words == ["add", "CTR-1"]
    assert parsed.options == {"title": "Oracle DB support", "vendor": "Oracle"}


def test_key_value_only_for_known_options() -> None:
    parsed = grammar.parse("CTR-1 P1 DB down: urgent foo:bar vendor:Oracle", frozenset({"vendor"}))
    assert parsed.words == ["CTR-1", "P1", "DB", "down:", "urgent", "foo:bar"]
    assert parsed.options == {"vendor": "Oracle"}
    assert grammar.parse("vendor:Oracle").words == ["vendor:Oracle"]  # no known options: all words
    assert grammar.parse("Vendor:Oracle", frozenset({"vendor"})).options == {"vendor": "Oracle"}


def test_duplicate_option_is_an_error() -> None:
    with pytest.raises(GrammarError) as info:
        grammar.parse("CTR-1 vendor:A Vendor:B", CONTRACT_OPTIONS)
    assert info.value.reason == "duplicate_option"
    assert info.value.details == {"option": "vendor"}


def test_text_over_3000_characters_is_an_error() -> None:
    assert grammar.parse("x" * 3000).words == ["x" * 3000]
    with pytest.raises(GrammarError) as info:
        grammar.parse("x" * 3001)
    assert info.value.reason == "text_too_long"
    assert info.value.details == {"limit": "3000"}


def test_unbalanced_quote_is_an_error() -> None:
    with pytest.raises(GrammarError) as info:
        grammar.parse('CTR-1 note:"never closed', CONTRACT_OPTIONS)
    assert info.value.reason == "unbalanced_quotes"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("d'ici 3 mois", ["d'ici", "3", "mois"]),  # the spec's own /renewals window
        ("d\u2019ici 3 mois", ["d'ici", "3", "mois"]),
        ("CTR-1 P1 l'ERP est en panne", ["CTR-1", "P1", "l'ERP", "est", "en", "panne"]),
        ("CTR-1 P2 can't log in", ["CTR-1", "P2", "can't", "log", "in"]),
    ],
)
def test_apostrophes_are_letters_not_quotes(text: str, words: list[str]) -> None:
    """French (and English) text is full of apostrophes: `/renewals d'ici 3 mois` must not be refused."""
    assert grammar.parse(text).words == words


def test_empty_text() -> None:
    parsed = grammar.parse("")
    assert parsed.words == [] and parsed.options == {} and parsed.pop_word() is None and parsed.rest == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<@U123|ann>", "U123"), ("<@U123>", "U123"), ("<@W0ABC12>", "W0ABC12"), ("@U12345", "U12345"),
     ("U0ABCDEF", "U0ABCDEF"), ("U123", "U123"), ("@U1", "U1"), ("UNKNOWN1", "UNKNOWN1"), (" <@U123|ann> ", "U123"), ("ann", None), ("@ann", None), ("<#C123|general>", None),
     ("", None)],
)
def test_user_mentions(text: str, expected: str | None) -> None:
    assert grammar.user_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<#C123|general>", "C123"), ("<#C123>", "C123"), ("<#G0PRIV1|secret>", "G0PRIV1"), ("#C12345", "C12345"),
     ("C0ABCDEF", "C0ABCDEF"), ("C123", "C123"), ("general", None), ("#general", None), ("<@U123|ann>", None)],
)
def test_channel_mentions(text: str, expected: str | None) -> None:
    assert grammar.channel_id(text) == expected


def test_mentions_as_option_values() -> None:
    parsed = grammar.parse("list owner:<@U123|ann> channel:<#C123|general>", frozenset({"owner", "channel"}))
    assert parsed.words == ["list"]
    assert grammar.user_id(parsed.options["owner"]) == "U123"
    assert grammar.channel_id(parsed.options["channel"]) == "C123"


def test_unknown_option() -> None:
    assert grammar.unknown_option(["CTR-1", "vendr:Oracle"]) == "vendr"
    assert grammar.unknown_option(["https://example.com/x"]) is None
    assert grammar.unknown_option(["down:"]) is None
    assert grammar.unknown_option(["CTR-1"]) is None


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./", min_size=1, max_size=12)
VALUE = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÀéèçô0123456789-_./,€ ", min_size=1, max_size=30).map(
    str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORD, max_size=5),
       options=st.dictionaries(st.sampled_from(sorted(CONTRACT_OPTIONS)), VALUE, max_size=5),
       smart=st.booleans())
def test_parse_round_trips(words: list[str], options: dict[str, str], smart: bool) -> None:
    opening, closing = ("\u201c", "\u201d") if smart else ('"', '"')
    text = " ".join(words + [f"{k}:{opening}{v}{closing}" for k, v in options.items()])
    parsed = grammar.parse(text, CONTRACT_OPTIONS)
    assert parsed.words == words
    assert parsed.options == options


# --------------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", date(2027, 3, 31)),
        ("31/03/2027", date(2027, 3, 31)),
        ("31.03.2027", date(2027, 3, 31)),
        ("1/4/2027", date(2027, 4, 1)),
        ("31 mars 2027", date(2027, 3, 31)),
        ("31 March 2027", date(2027, 3, 31)),
        ("1er avril 2027", date(2027, 4, 1)),
        ("in 6 months", date(2027, 5, 20)),
        ("dans 3 mois", date(2027, 2, 20)),
        ("in 2 weeks", date(2026, 12, 4)),
        ("dans 2 semaines", date(2026, 12, 4)),
        ("next friday", date(2026, 11, 27)),
        ("vendredi prochain", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 21)),
        ("demain", date(2026, 11, 21)),
    ],
)
def test_parse_date_table(text: str, expected: date) -> None:
    assert parse_date(text, tz=PARIS, now=NOW) == expected


@pytest.mark.parametrize("text", ["", "garbage", "2027-02-30", "31/02/2027", "2027-13-01", "32/01/2027"])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, tz=PARIS, now=NOW)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # late evening in Paris, the day before the spring change: tomorrow is 28 March
        (datetime(2027, 3, 27, 22, 30, tzinfo=UTC), "tomorrow", date(2027, 3, 28)),
        (datetime(2027, 3, 27, 22, 30, tzinfo=UTC), "demain", date(2027, 3, 28)),
        # late evening in winter, a date six months ahead falls in summer time: still the 20th
        (datetime(2026, 11, 20, 22, 30, tzinfo=UTC), "in 6 months", date(2027, 5, 20)),
        (datetime(2026, 11, 20, 22, 30, tzinfo=UTC), "dans 6 mois", date(2027, 5, 20)),
        # late evening the day before the autumn change
        (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), "demain", date(2026, 10, 25)),
        # just after midnight in Paris (still the previous day in UTC)
        (datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "tomorrow", date(2026, 11, 22)),
    ],
)
def test_parse_date_reads_the_day_in_the_organisation_zone(now: datetime, text: str, expected: date) -> None:
    assert parse_date(text, tz=PARIS, now=now) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 3pm", datetime(2026, 11, 21, 14, 0, tzinfo=UTC)),
        ("demain 15h", datetime(2026, 11, 21, 14, 0, tzinfo=UTC)),
        ("demain 15h30", datetime(2026, 11, 21, 14, 30, tzinfo=UTC)),
        ("3pm", datetime(2026, 11, 20, 14, 0, tzinfo=UTC)),
        ("15h", datetime(2026, 11, 20, 14, 0, tzinfo=UTC)),
        ("today 9am", datetime(2026, 11, 20, 8, 0, tzinfo=UTC)),
        ("aujourd'hui 9h30", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),
        ("yesterday 14:00", datetime(2026, 11, 19, 13, 0, tzinfo=UTC)),
        ("hier 14h", datetime(2026, 11, 19, 13, 0, tzinfo=UTC)),
        ("next monday 9am", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("lundi prochain 9h", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("2 hours ago", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),
        ("il y a 2 heures", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),
        ("2h ago", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),  # parse_when's own docstring example
        ("2026-11-23 14:30", datetime(2026, 11, 23, 13, 30, tzinfo=UTC)),
        ("2026-11-23T14:30:00+00:00", datetime(2026, 11, 23, 14, 30, tzinfo=UTC)),
    ],
)
def test_parse_when_table(text: str, expected: datetime) -> None:
    moment = parse_when(text, tz=PARIS, now=NOW)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # 2027-03-28: clocks go forward at 02:00 (UTC+1 → UTC+2)
        (datetime(2027, 3, 27, 10, 0, tzinfo=UTC), "tomorrow 3pm", datetime(2027, 3, 28, 13, 0, tzinfo=UTC)),
        (datetime(2027, 3, 27, 10, 0, tzinfo=UTC), "demain 15h", datetime(2027, 3, 28, 13, 0, tzinfo=UTC)),
        (datetime(2027, 3, 28, 10, 0, tzinfo=UTC), "today 3pm", datetime(2027, 3, 28, 13, 0, tzinfo=UTC)),
        (datetime(2027, 3, 28, 10, 0, tzinfo=UTC), "15h", datetime(2027, 3, 28, 13, 0, tzinfo=UTC)),
        (datetime(2027, 3, 28, 10, 0, tzinfo=UTC), "hier 14h", datetime(2027, 3, 27, 13, 0, tzinfo=UTC)),
        (datetime(2027, 3, 20, 10, 0, tzinfo=UTC), "2027-03-28 15:00", datetime(2027, 3, 28, 13, 0, tzinfo=UTC)),
        # 2026-10-25: clocks go back at 03:00 (UTC+2 → UTC+1)
        (datetime(2026, 10, 24, 10, 0, tzinfo=UTC), "tomorrow 3pm", datetime(2026, 10, 25, 14, 0, tzinfo=UTC)),
        (datetime(2026, 10, 24, 10, 0, tzinfo=UTC), "demain 15h", datetime(2026, 10, 25, 14, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 10, 0, tzinfo=UTC), "today 3pm", datetime(2026, 10, 25, 14, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 10, 0, tzinfo=UTC), "hier 15h", datetime(2026, 10, 24, 13, 0, tzinfo=UTC)),
        (datetime(2026, 10, 20, 10, 0, tzinfo=UTC), "2026-10-25 15:00", datetime(2026, 10, 25, 14, 0, tzinfo=UTC)),
    ],
)
def test_parse_when_on_dst_change_days(now: datetime, text: str, expected: datetime) -> None:
    assert parse_when(text, tz=PARIS, now=now) == expected


@pytest.mark.parametrize("text", ["", "garbage", "not a time at all"])
def test_parse_when_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_when(text, tz=PARIS, now=NOW)


# --------------------------------------------------------------------------------------------------
# windows


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", TODAY, TODAY + timedelta(days=90)),
        ("next 30 days", TODAY, date(2026, 12, 20)),
        ("the next 30 days", TODAY, date(2026, 12, 20)),
        ("Next 30 Days", TODAY, date(2026, 12, 20)),
        ("within 2 weeks", TODAY, date(2026, 12, 4)),
        ("les 30 prochains jours", TODAY, date(2026, 12, 20)),
        ("this quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("ce trimestre", date(2026, 10, 1), date(2026, 12, 31)),
        ("next quarter", date(2027, 1, 1), date(2027, 3, 31)),
        ("next month", date(2026, 12, 1), date(2026, 12, 31)),
        ("le mois prochain", date(2026, 12, 1), date(2026, 12, 31)),
        ("before 2027-06-30", TODAY, date(2027, 6, 30)),
        ("avant 31/12/2026", TODAY, date(2026, 12, 31)),
        ("in March", date(2027, 3, 1), date(2027, 3, 31)),  # the next March
        ("en mars", date(2027, 3, 1), date(2027, 3, 31)),
        ("in march 2028", date(2028, 3, 1), date(2028, 3, 31)),
        ("in November", date(2026, 11, 1), date(2026, 11, 30)),  # this November, while it lasts
        ("en novembre", date(2026, 11, 1), date(2026, 11, 30)),
        ("in October", date(2027, 10, 1), date(2027, 10, 31)),  # October is over: next year's
        ("d'ici 3 mois", TODAY, date(2027, 2, 20)),
        ("d\u2019ici 3 mois", TODAY, date(2027, 2, 20)),
        ("2027-01-15", TODAY, date(2027, 1, 15)),
    ],
)
def test_parse_window_table(text: str, start: date, end: date) -> None:
    assert parse_window(text, tz=PARIS, now=NOW) == Window(start, end)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # 31 March 23:00 in Paris: March still lasts
        (datetime(2027, 3, 31, 21, 0, tzinfo=UTC), "in March", Window(date(2027, 3, 1), date(2027, 3, 31))),
        (datetime(2027, 3, 31, 21, 0, tzinfo=UTC), "en mars", Window(date(2027, 3, 1), date(2027, 3, 31))),
        # 1 April 00:00 in Paris (still 31 March in UTC): March is over, the next one is 2028's
        (datetime(2027, 3, 31, 22, 0, tzinfo=UTC), "in March", Window(date(2028, 3, 1), date(2028, 3, 31))),
        (datetime(2027, 3, 1, 8, 0, tzinfo=UTC), "in March", Window(date(2027, 3, 1), date(2027, 3, 31))),
        (datetime(2027, 2, 28, 8, 0, tzinfo=UTC), "in March", Window(date(2027, 3, 1), date(2027, 3, 31))),
        (datetime(2027, 3, 31, 21, 0, tzinfo=UTC), "this quarter", Window(date(2027, 1, 1), date(2027, 3, 31))),
        (datetime(2027, 3, 31, 22, 0, tzinfo=UTC), "this quarter", Window(date(2027, 4, 1), date(2027, 6, 30))),
        (datetime(2027, 1, 31, 8, 0, tzinfo=UTC), "next month", Window(date(2027, 2, 1), date(2027, 2, 28))),
        (datetime(2027, 12, 15, 8, 0, tzinfo=UTC), "next month", Window(date(2028, 1, 1), date(2028, 1, 31))),
        (datetime(2027, 11, 30, 8, 0, tzinfo=UTC), "d'ici 3 mois", Window(date(2027, 11, 30), date(2028, 2, 29))),
        # DST change days: the window starts on the Paris day
        (datetime(2027, 3, 28, 22, 30, tzinfo=UTC), "", Window(date(2027, 3, 29), date(2027, 6, 27))),
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "next 30 days", Window(date(2026, 10, 26), date(2026, 11, 25))),
    ],
)
def test_parse_window_at_edges(now: datetime, text: str, expected: Window) -> None:
    assert parse_window(text, tz=PARIS, now=now) == expected


@pytest.mark.parametrize(
    "text",
    ["garbage", "blah blah", "in foo", "next 0 days", "next 3 hours", "next 2bd", "before 2020-01-01", "yesterday",
     "before yesterday", "2020-01-01"],
)
def test_parse_window_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_window(text, tz=PARIS, now=NOW)


@settings(max_examples=100, deadline=None)
@given(days=st.integers(1, 3650), unit=st.sampled_from(["days", "jours", "d"]),
       today=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_next_n_days_window(days: int, unit: str, today: date) -> None:
    now = datetime(today.year, today.month, today.day, 12, 0, tzinfo=PARIS)
    assert parse_window(f"next {days} {unit}", tz=PARIS, now=now) == Window(today, today + timedelta(days=days))


# --------------------------------------------------------------------------------------------------
# questions


@pytest.mark.parametrize(
    ("text", "command", "words"),
    [
        ("when does the Oracle contract end?", "/contract", "status oracle"),
        ("quand se termine le contrat Oracle ?", "/contract", "status oracle"),
        ("what renews next month?", "/renewals", "next month"),
        ("quels contrats arrivent à échéance en mars ?", "/renewals", "en mars"),
        ("what expires this quarter?", "/renewals", "this quarter"),
        ("which contracts renew before 2027-06-30?", "/renewals", "before 2027-06-30"),
        ("/renewals next 30 days", "/renewals", "next 30 days"),
        # The same questions the other way round (audit 2026-12-01): French "what renews next month?", "end".
        ("qu'est-ce qui se renouvelle le mois prochain ?", "/renewals", "le mois prochain"),
        ("qu’est-ce qui arrive à échéance en mars ?", "/renewals", "en mars"),
        ("what ends next month?", "/renewals", "next month"),
        ("which contracts end this quarter?", "/renewals", "this quarter"),
        ("renewals this quarter", "/renewals", "this quarter"),
        ("échéances du mois prochain", "/renewals", "mois prochain"),
        ("what does Oracle renew?", "/contract", "status oracle"),
        ("Oracle renewals", "/contract", "status oracle"),
    ],
)
def test_understood_questions(text: str, command: str, words: str) -> None:
    assert understand(text, tz=PARIS, now=NOW) == Intent(command, words)


def test_renewal_question_windows_are_windows() -> None:
    for text in ("what renews next month?", "quels contrats arrivent à échéance en mars ?"):
        intent = understand(text, tz=PARIS, now=NOW)
        assert intent is not None
        parse_window(intent.text, tz=PARIS, now=NOW)  # the window it passes on is readable


def test_incident_question_is_answered_somehow() -> None:
    intent = understand("open incidents for Orange", tz=PARIS, now=NOW)
    assert intent is not None
    assert "orange" in intent.text.lower()


def test_question_with_a_mention_of_the_bot() -> None:
    """An app_mention's text starts with `<@UBOT>`: the mention is not part of the question."""
    assert understand("<@U0BOT123> when does the Oracle contract end?", tz=PARIS, now=NOW) == Intent(
        "/contract", "status oracle")


@pytest.mark.parametrize("text", ["", "   ", "???", "hello", "help", "aide", "bonjour", "the a of", "?!.,"])
def test_junk_is_not_understood(text: str) -> None:
    assert understand(text, tz=PARIS, now=NOW) is None
