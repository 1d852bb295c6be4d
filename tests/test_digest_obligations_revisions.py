"""Obligations and price revisions in the weekly digest and in `/contract report` (issue 9), built from a real
database on SQLite and PostgreSQL, in English and French; and the digest within Slack's 50 blocks when
every one of its sections is full."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.orm import Session, sessionmaker

from bot.contract_input import ContractFields
from bot.dates import parse_period
from bot.durations import Duration, parse_duration
from bot.render import digest as parts
from bot.render.common import MAX_BLOCKS
from bot.render.report import report
from bot.revision_input import read_clause
from bot.trajectory import Step, trajectory
from jobs.digest import SECTIONS, build
from storage import contracts, indices, obligations, revisions
from storage.indicators import Indicators
from tests.conftest import make_settings

NOW = datetime(2024, 12, 2, 8, 0, tzinfo=UTC)  # Monday 2 December 2024, 09:00 in Paris
TODAY = date(2024, 12, 2)
HOSTILE = "<!channel> *Evil* <https://x.example|click> & co"
LADDER = [30, 7, 0]


def _contract(session: Session, ref: str):  # type: ignore[no-untyped-def]
    values = ContractFields(reference=ref, title=f"TMA {ref}", vendor="Capgemini", end=date(2028, 12, 31),
                            start=date(2024, 1, 1), value=Decimal("1767.00"), term=parse_duration("1y"),
                            given={"reference", "title", "vendor", "end", "start", "value", "term"})
    return contracts.create(session, values=values, defaults=contracts.Defaults("EUR", Duration()), actor="U0MGR",
                            now=NOW - timedelta(days=90))


def _clause(session: Session, contract, today: date, **options: str):  # type: ignore[no-untyped-def]
    given = read_clause(options, tz=UTC, now=NOW)
    return revisions.set_clause(session, contract=contract, given=given, actor="U0MGR", now=NOW, today=today)[0]


def _obligation(session: Session, contract, due: date, what: str = HOSTILE):  # type: ignore[no-untyped-def]
    return obligations.create(session, contract=contract, what=what, due=due, every=None, owner=None, party="vendor",
                              evidence_required=False, actor="U0MGR", now=NOW - timedelta(days=60), thresholds=LADDER)


def _portfolio(factory: sessionmaker[Session]) -> None:
    """12 revisions due in the next 30 days (the soonest lacks its index value), one applied in November
    (+78.32 €), 13 obligations overdue or due within 30 days and one later, 2 met on time and 1 late."""
    with factory.begin() as session:
        for month, value in {"2023-09": "280", "2024-09": "294.6"}.items():
            indices.set_value(session, name="syntec", month=date.fromisoformat(month + "-01"), value=Decimal(value),
                              published_on=None, actor="U0MGR", now=NOW)
        missing = _contract(session, "OR-00")
        _clause(session, missing, TODAY, index="syntec", base="2023-09", fixed="0.15", first="2024-12-10", lag="2")
        for n in range(1, 12):
            contract = _contract(session, f"OR-{n:02d}")
            _clause(session, contract, TODAY, index="syntec", base="2023-09", fixed="0.15", first="2024-12-20",
                    lag="3")
        applied = _contract(session, "OR-AP")
        clause = _clause(session, applied, date(2024, 11, 1), index="syntec", base="2023-09", fixed="0.15",
                         first="2024-11-15", lag="2")
        comp = revisions.compute(session, contract=applied, clause=clause, at=date(2024, 11, 15))
        revisions.apply(session, comp=comp, actor="U0MGR", now=datetime(2024, 11, 15, 9, tzinfo=UTC))
        for n in range(13):
            _obligation(session, missing, TODAY + timedelta(days=n * 2 - 5))
        _obligation(session, missing, TODAY + timedelta(days=60), what="Steering committee")
        for due, done in ((date(2024, 11, 20), date(2024, 11, 18)), (date(2024, 11, 25), date(2024, 11, 25)),
                          (date(2024, 11, 10), date(2024, 11, 26))):
            obligation = _obligation(session, applied, due, what="Insurance certificate")
            obligations.fulfil(session, obligation=obligation, evidence=None, note=None, actor="U0MGR",
                               now=datetime.combine(done, datetime.min.time(), UTC).replace(hour=10), today=done,
                               thresholds=LADDER)


def test_the_digest_lists_obligations_and_revisions_due_and_the_report_counts_them(
        session_factory: sessionmaker[Session], db_url: str) -> None:
    _portfolio(session_factory)
    message, data = build(session_factory, settings=make_settings(db_url), now=NOW)
    text = message.text
    assert len(SECTIONS) == 7 and 0 < len(message.blocks) <= MAX_BLOCKS
    assert "*Obligations overdue or due in the next 30 days* (13)" in text
    assert "… and 3 more: `/obligation list due`" in text
    assert "*OVERDUE* · OBL-1 *OR-00*" in text and "Steering committee" not in text
    assert text.count("OBL-") == 10
    assert "*Price revisions due in the next 30 days* (12)" in text
    assert "*OR-00* TMA OR-00 — syntec revision on 10 Dec 2024: €1,767.00, index value missing (syntec 2024-10)" \
        in text
    assert "*OR-01* TMA OR-01 — syntec revision on 20 Dec 2024: €1,767.00 → €1,845.32" in text  # the worked example
    assert "OVERDUE* · *OR-" not in text  # none has passed yet
    late, _ = build(session_factory, settings=make_settings(db_url), now=NOW + timedelta(days=9))
    assert "*OVERDUE* · *OR-00* TMA OR-00 — syntec revision on 10 Dec 2024" in late.text  # passed, not applied
    assert "*OVERDUE* · *OR-01*" not in late.text
    assert "OR-09" in text and "OR-10" not in text and "… and 2 more: `/contract revise <REF>`" in text
    # the sections come in order, before the indicators
    assert text.index("Obligations overdue") < text.index("Price revisions due") < text.index("Indicators, last")
    dumped = str(message.to_dict())
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped
    # the indicators: obligations met on time, revisions applied and their effect on the annual spend
    figures = data.figures
    assert figures is not None
    assert (figures.obligations_on_time, figures.obligations_late) == (2, 1)
    assert figures.revisions_applied == 1 and figures.revisions_effect == {"EUR": Decimal("78.32")}
    assert "*Obligations met:* 2 on time · 1 late" in text
    assert "*Price revisions applied:* 1 · effect on the annual spend €78.32" in text
    english = report("en", figures).text
    assert "on time = done on or before the due date" in english  # each figure says how it was counted
    assert "effect = revised annual value − the value before" in english

    french, _ = build(session_factory, settings=make_settings(db_url, language="fr"), now=NOW)
    assert "*Obligations en retard ou à échéance dans les 30 jours* (13)" in french.text
    assert "… et 3 de plus : `/obligation list due`" in french.text
    assert "*Révisions de prix dans les 30 jours* (12)" in french.text
    assert "valeur d'indice manquante (syntec 2024-10)" in french.text
    assert "*Obligations remplies :* 2 à temps · 1 en retard" in french.text
    assert "*Révisions de prix appliquées :* 1" in french.text and "78,32" in french.text
    assert "à temps = faites au plus tard à leur échéance" in report("fr", figures).text


def test_a_report_period_without_them_counts_zero(session_factory: sessionmaker[Session], db_url: str) -> None:
    _portfolio(session_factory)
    from storage.indicators import portfolio

    tz = make_settings(db_url).tz
    with session_factory() as session:
        october = portfolio(session, period=parse_period("2024-10", tz=tz, now=NOW), now=NOW, tz=tz)
    assert (october.obligations_on_time, october.obligations_late, october.revisions_applied) == (0, 0, 0)
    assert "*Price revisions applied:* 0 · effect on the annual spend none" in report("en", october).text


# ---- every section full: still within 50 blocks, none left out ---------------------------------------
LONG = "&<>" * 60  # escapes to four times its length: every list needs two sections


def _full_parts(lang: str) -> list[parts.Part]:
    contract = SimpleNamespace(reference="FULL-1", title=LONG, vendor=SimpleNamespace(name=LONG), currency="EUR",
                               act_by=date(2024, 11, 30), end_date=date(2025, 12, 31), annual_value=Decimal("1000"))
    shown, total = 10, 25
    incident = SimpleNamespace(id=7, priority="P1", contract=contract, summary=LONG,
                               opened_at=NOW - timedelta(days=3))
    dispute = SimpleNamespace(id=3, contract=contract, summary=LONG, status="open", opened_at=NOW - timedelta(days=40),
                              amount_claimed=Decimal("5000"), currency="EUR")
    obligation = SimpleNamespace(id=5, contract=contract, what=LONG, due_on=date(2024, 12, 1))
    clause = SimpleNamespace(index_name="syntec")
    computed = SimpleNamespace(contract=SimpleNamespace(reference="FULL-1", title=LONG, currency="EUR"),
                               clause=clause, current=Decimal("1767"), effective_on=date(2024, 12, 20),
                               outcome=SimpleNamespace(new_value=Decimal("1845.32")), missing=[])
    steps = [Step(None, Decimal("1000"), c) for c in ("EUR", "USD", "GBP")]
    period = parse_period("last 12 months", tz=make_settings("sqlite://").tz, now=NOW)
    figures = Indicators(period, contracts_in_force=3, vendors_in_force=2, trajectory=trajectory(steps, today=TODAY),
                         top_vendors={c: [(LONG, Decimal("1000"))] * 10 for c in ("EUR", "USD", "GBP")},
                         revisions_effect={"EUR": Decimal("78.32")})
    return [parts.decisions(lang, [contract] * shown, total, today=TODAY),
            parts.tacit_renewals(lang, [(None, contract)] * shown, total),
            parts.sla(lang, [incident] * shown, total, {"EUR": Decimal("10")}),
            parts.disputes(lang, [dispute] * shown, total, stake={"EUR": Decimal("5000")}, now=NOW),
            parts.obligations(lang, [obligation] * shown, total, today=TODAY),
            parts.revisions(lang, [computed] * shown, total, today=TODAY),
            parts.indicators(lang, figures)]


def test_the_digest_keeps_every_full_section_within_50_blocks() -> None:
    for lang in ("en", "fr"):
        full = _full_parts(lang)
        for part in full[:-1]:  # each list is as long as it gets: a title, two sections, "and N more"
            assert len(part.blocks) == 4, part.lines[0]
        message = parts.assemble("Weekly digest", full)
        payload = message.to_dict()
        assert len(payload["blocks"]) <= 50
        assert sum(b["type"] == "divider" for b in payload["blocks"]) == len(full)  # no section left out
        assert message.text.count("15") >= 6  # "and 15 more" closes every list
        assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"] if b["type"] == "section")
