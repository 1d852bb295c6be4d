"""A duration is shown in the unit it was written in, through the real app (`app.dispatch`), on SQLite and
PostgreSQL: the contract card (`term:1y` → "1 year", `term:12mo` → "12 months", `notice:2w` → "2 weeks"),
the history, the SLA terms and the revision clause. The same value typed again in another unit is no change:
nothing recorded, the text stays as first written."""

from __future__ import annotations

from tests.inproc.conftest import InProcess


def _card(inproc: InProcess, ref: str) -> str:
    return inproc.command(f"status {ref}")["text"]


def test_the_card_shows_each_duration_in_the_unit_it_was_written_in(inproc: InProcess) -> None:
    inproc.command("add DUR-Y title:Yearly vendor:Acme end:2027-12-31 renewal:auto term:1y notice:2w")
    inproc.command("add DUR-M title:Monthly vendor:Acme end:2027-12-31 renewal:auto term:12mo notice:\"3 mois\"")
    inproc.command("add DUR-D title:Default vendor:Acme end:2027-12-31 renewal:auto")
    yearly, monthly, default = _card(inproc, "DUR-Y"), _card(inproc, "DUR-M"), _card(inproc, "DUR-D")
    assert "tacit renewal, 1 year at a time" in yearly and "Notice period: 2 weeks · deadline" in yearly
    assert "tacit renewal, 12 months at a time" in monthly and "Notice period: 3 months · deadline" in monthly
    assert "tacit renewal, 12 months at a time" in default  # the default, as the interface page writes it: 12mo
    assert "Notice period: 0 days · deadline" in default
    lines = inproc.command("list vendor:Acme")["text"].splitlines()  # its renewal words: cached by value and unit
    assert "1 year at a time" in next(line for line in lines if "DUR-Y" in line)
    assert "12 months at a time" in next(line for line in lines if "DUR-M" in line)


def test_the_same_value_in_another_unit_is_no_change(inproc: InProcess) -> None:
    inproc.command("add DUR-A title:Amended vendor:Acme end:2027-12-31 renewal:auto term:12mo notice:2w")
    answer = inproc.command('amend DUR-A term:1y notice:14d note:"same values"')
    assert "already has these values" in answer["text"]
    card = _card(inproc, "DUR-A")
    assert "12 months at a time" in card and "Notice period: 2 weeks" in card
    inproc.command('amend DUR-A notice:3mo note:"longer notice"')
    history = inproc.command("history DUR-A")["text"]
    assert "notice: 2w → 3mo" in history and "1y" not in history and "14d" not in history


def test_sla_terms_and_revision_clauses_are_shown_as_written(inproc: InProcess) -> None:
    inproc.command("add DUR-S title:Supported vendor:Acme start:2026-01-01 end:2027-12-31 value:12k")
    inproc.command("set DUR-S P1 response:120min resolve:48h clock:24x7 credit:5", command="/sla")
    terms = inproc.command("terms DUR-S", command="/sla")["text"].replace("*", "")
    assert "response 120min, resolution 48h" in terms
    again = inproc.command("set DUR-S P1 response:2h resolve:2880min clock:24x7 credit:5", command="/sla")["text"]
    assert "120min" in again and "48h" in again, again  # equal values: accepted, shown as stored
    terms = inproc.command("terms DUR-S", command="/sla")["text"].replace("*", "")
    assert "response 120min, resolution 48h" in terms
    clause = inproc.command("indexation DUR-S index:syntec base:2025-12 every:12mo")["text"]
    assert "12mo ·" in clause and "1y" not in clause, clause
    clause = inproc.command("indexation DUR-S every:1y")["text"]  # the same period: the text stays
    assert "12mo ·" in clause and "1y ·" not in clause, clause
    inproc.command("add DUR-T title:Yearly vendor:Acme start:2026-01-01 end:2027-12-31 value:12k")
    clause = inproc.command("indexation DUR-T index:syntec base:2025-12 every:1y")["text"]  # new: as written
    assert "1y ·" in clause and "12mo" not in clause, clause
