"""The report, digest and chart renderers: Slack's limits, escaping, currencies kept apart, "and N more";
and the digest built from a real database (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import read_contract_fields
from bot.dates import parse_period
from bot.durations import parse_duration
from bot.render.chart import trajectory_png
from bot.render.report import report
from bot.settings import Settings
from bot.trajectory import Step, trajectory
from jobs.digest import SECTIONS, build, iso_week
from storage import contracts
from storage.indicators import Indicators
from tests.conftest import make_settings

TZ_NAME = "Europe/Paris"
NOW = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)
HOSTILE = "<!channel> *Evil* <https://x.example|click> & co"


def figures() -> Indicators:
    period = parse_period("last 12 months", tz=make_settings("sqlite://").tz, now=NOW)
    steps = [Step(None, Decimal("1000"), "EUR"), Step(date(2026, 6, 1), Decimal("500"), "USD"),
             Step(date(2027, 6, 1), Decimal("-200"), "EUR"), Step(None, Decimal("90"), "GBP")]
    return Indicators(period, contracts_in_force=3, vendors_in_force=2, amendments=4, disputes_opened=1,
                      at_stake={"EUR": Decimal("10"), "USD": Decimal("20")},
                      trajectory=trajectory(steps, today=NOW.date()),
                      top_vendors={"EUR": [(HOSTILE, Decimal("1000"))], "USD": [("Acme", Decimal("500"))]},
                      spend_in_force={"EUR": Decimal("1000"), "USD": Decimal("500")})


def test_the_report_escapes_names_keeps_currencies_apart_and_fits_slack() -> None:
    for lang in ("en", "fr"):
        message = report(lang, figures())
        payload = message.to_dict()
        assert 0 < len(payload["blocks"]) <= 50
        dumped = str(payload)
        assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped
        assert "<https://x.example" not in dumped
        assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"] if b["type"] == "section" and "text" in b)
    english = report("en", figures()).text
    assert "€1,000.00 · US$500.00" in english  # two figures, never one sum
    assert "(EUR)" in english and "(USD)" in english and "(GBP)" in english  # one trajectory per currency
    assert "Mar 2027  €1,000.00  (€1,000.00 a year earlier, +0 %)" in english
    assert "→ Jun 2027  €800.00  (€1,000.00 a year earlier, −20 %)" in english
    french = report("fr", figures()).text
    assert "Rapport du portefeuille" in french and "un an plus tôt" in french


def test_the_chart_is_a_png_with_a_panel_per_currency() -> None:
    png = trajectory_png("fr", figures().trajectory)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    height = int.from_bytes(png[20:24], "big")  # IHDR: width at 16, height at 20
    assert height == 3 * 380  # three currencies, 3.8 in at 100 dpi each
    assert trajectory_png("en", trajectory([], today=NOW.date())) is None  # nothing to draw: no chart


def test_iso_weeks_follow_the_organisation_time_zone() -> None:
    settings = make_settings("sqlite://")
    # Sunday 23:30 in Paris is still week 10 there, though it is Sunday 22:30 UTC.
    assert iso_week(datetime(2027, 3, 14, 22, 30, tzinfo=UTC), settings) == ("2027-W10", date(2027, 3, 8))
    assert iso_week(datetime(2027, 3, 14, 23, 30, tzinfo=UTC), settings) == ("2027-W11", date(2027, 3, 15))
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=UTC), settings) == ("2026-W53", date(2026, 12, 28))


def test_the_digest_lists_stop_at_ten_with_the_command_that_lists_them(session_factory: sessionmaker[Session],
                                                                       db_url: str) -> None:
    settings: Settings = make_settings(db_url)
    defaults = contracts.Defaults(currency="EUR", lead=parse_duration("0d"))
    today = NOW.astimezone(settings.tz).date()
    with session_factory.begin() as s:
        for n in range(15):
            values = read_contract_fields({"reference": f"DG-{n:02d}", "title": HOSTILE, "vendor": "Acme",
                                           "end": (today + timedelta(days=n + 1)).isoformat(), "value": "1000"},
                                          tz=settings.tz, now=NOW)
            contracts.create(s, values=values, defaults=defaults, actor="U1", now=NOW)
    message, data = build(session_factory, settings=settings, now=NOW)
    payload = message.to_dict()
    assert 0 < len(payload["blocks"]) <= 50
    assert "*Decisions due in the next 30 days* (15)" in message.text
    assert "… and 5 more: `/renewals next 30 days`" in message.text
    assert message.text.count("DG-") == 10 and "DG-00" in message.text and "DG-10" not in message.text
    assert "<!channel>" not in str(payload)
    assert "No tacit renewal last week." in message.text and "No open dispute." in message.text
    assert "*Indicators, last 12 months*" in message.text and data.figures is not None
    assert data.figures.contracts_in_force == 15
    assert len(SECTIONS) == 7


def test_report_periods_in_english_and_french() -> None:
    from handlers.commands.report import read_period
    from handlers.errors import UserError

    tz = make_settings("sqlite://").tz  # Europe/Paris; NOW is 10 March 2027
    cases = {
        "": (date(2026, 3, 11), date(2027, 3, 10)), "last 12 months": (date(2026, 3, 11), date(2027, 3, 10)),
        "les 12 derniers mois": (date(2026, 3, 11), date(2027, 3, 10)),
        "this quarter": (date(2027, 1, 1), date(2027, 3, 31)), "ce trimestre": (date(2027, 1, 1), date(2027, 3, 31)),
        "2026": (date(2026, 1, 1), date(2026, 12, 31)), "last month": (date(2027, 2, 1), date(2027, 2, 28)),
        "le mois dernier": (date(2027, 2, 1), date(2027, 2, 28)), "2026-03": (date(2026, 3, 1), date(2026, 3, 31)),
        "mars 2026": (date(2026, 3, 1), date(2026, 3, 31)), "Q4 2026": (date(2026, 10, 1), date(2026, 12, 31)),
        "T2 2026": (date(2026, 4, 1), date(2026, 6, 30)), "2026-Q3": (date(2026, 7, 1), date(2026, 9, 30)),
        "l'année dernière": (date(2026, 1, 1), date(2026, 12, 31)),
    }
    for text, (first, last) in cases.items():
        period = read_period(text, tz=tz, now=NOW)
        assert (period.first_day, period.last_day) == (first, last), text
        assert period.start.utcoffset() == timedelta(0) and period.start < period.end
    q4 = read_period("Q4 2026", tz=tz, now=NOW)
    assert q4.start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC) and q4.end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    for bad in ("someday", "Q5 2026", "2026-13"):
        try:
            read_period(bad, tz=tz, now=NOW)
        except UserError as exc:
            assert exc.key == "err_bad_report_period"
        else:
            raise AssertionError(bad)
