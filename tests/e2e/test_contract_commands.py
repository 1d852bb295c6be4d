"""/contract and /renewals end to end: signed slash commands and interactions into a running `serve` (in the test
process, see tests/e2e/helpers.py),
answers out through response_url and the Web API to the fake Slack — on SQLite and PostgreSQL.

One server per backend serves the whole module (CONTRACTBOT_LANGUAGE=fr, so that a user whose Slack
locale is neither English nor French gets French, while en-US users get English): every test uses
its own references, vendors and title words.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from tests.e2e.helpers import (
    BACKENDS,
    Bot,
    assert_no_traceback,
    date_input,
    section_texts,
    select_input,
    start_bot,
    text_input,
    today,
    uid,
    view_submission,
)
from tests.support.fake_slack import FakeSlack

SPEC_CSV_HEADER = ("reference,title,vendor,type,status,start_date,end_date,notice,renewal,term,annual_value,currency,"
                   "owner,channel")


def d(day: date) -> str:
    """A date as the product shows it in English (babel en_GB, "d MMM y": 13 Feb 2030, 15 Sept 2030)."""
    return format_date(day, "d MMM y", locale="en_GB")


def add_months(day: date, months: int) -> date:
    """Calendar months with month-end clamping (test-side arithmetic, independent of the product)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@pytest.fixture(scope="module", params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    yield from start_bot(request, tmp_path_factory, CONTRACTBOT_LANGUAGE="fr")


@pytest.fixture
def fake_slack(bot: Bot) -> Iterator[FakeSlack]:
    """The module's fake Slack, emptied for this test; every test ends by validating what it recorded."""
    bot.fake.clear()
    yield bot.fake
    assert_no_traceback(bot.fake)
    bot.fake.assert_valid_messages()  # the messages of this test (cleared above)


# ---- help ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help"])
def test_contract_alone_and_help_answer_the_usage(bot: Bot, fake_slack: FakeSlack, text: str) -> None:
    answer = bot.command(text)
    assert answer["response_type"] == "ephemeral"
    for verb in ("status", "list", "add", "amend", "renew", "terminate", "history", "export"):
        assert f"/contract {verb}" in answer["text"], verb
    assert "Examples" in answer["text"]
    assert "/contract add" in section_texts(answer)
    fake_slack.assert_valid_messages()


def test_renewals_help_answers_the_usage(bot: Bot, fake_slack: FakeSlack) -> None:
    answer = bot.command("help", command="/renewals")
    assert answer["response_type"] == "ephemeral"
    assert "/renewals [window]" in answer["text"] and "this quarter" in answer["text"]
    fake_slack.assert_valid_messages()


# ---- add / status --------------------------------------------------------------------------------


def test_add_with_every_option_confirms_in_channel_and_the_card_shows_them(bot: Bot, fake_slack: FakeSlack) -> None:
    ref, vendor = f"CTR-{uid()}", f"Vendor{uid()}"
    confirmed = bot.add(ref, f'title:"Oracle DB support" vendor:{vendor} start:2026-01-01 end:2030-12-31 type:saas '
                             'notice:3mo renewal:auto term:2y lead:15d value:"120 000 €" currency:USD '
                             "owner:<@U123ABC|marie> channel:<#C123ABC|contracts>")
    assert confirmed["response_type"] == "in_channel"
    assert "recorded by <@U1>" in confirmed["text"]
    # notice deadline 30 Sep 2030 (31 Dec − 3 months), act-by 15 Sep 2030 (− 15 days lead)
    assert d(date(2030, 9, 30)) in confirmed["text"] and d(date(2030, 9, 15)) in confirmed["text"]

    card = bot.command(f"status {ref}")
    assert card["response_type"] == "ephemeral"
    text = card["text"]
    assert f"{ref} · Oracle DB support" in text
    assert f"Vendor: {vendor}" in text
    assert "SaaS · active" in text
    assert f"{d(date(2026, 1, 1))} → {d(date(2030, 12, 31))}" in text
    assert "tacit renewal, 2 years at a time" in text
    assert f"3 months · deadline {d(date(2030, 9, 30))}" in text
    left = (date(2030, 9, 15) - today()).days
    assert f"Act by: {d(date(2030, 9, 15))} ({left} days left)" in text
    assert "15 days internal lead time" in text
    assert "US$120,000.00" in text  # "120 000 €" read as 120000, currency: wins over the € sign
    assert "Owner: <@U123ABC>" in text
    assert "<#C123ABC>" in section_texts(card)  # the alert channel line
    fake_slack.assert_valid_messages()


def test_value_120k_and_the_euro_sign_default_currency(bot: Bot, fake_slack: FakeSlack) -> None:
    k_ref, eur_ref = f"K-{uid()}", f"EUR-{uid()}"
    bot.add(k_ref, f"title:Kilo vendor:V{uid()} end:2031-01-31 value:120k")
    bot.add(eur_ref, f'title:Euro vendor:V{uid()} end:2031-01-31 value:"99 500 €"')
    assert "Annual value: €120,000.00" in bot.command(f"status {k_ref}")["text"]
    assert "Annual value: €99,500.00" in bot.command(f"status {eur_ref}")["text"]
    fake_slack.assert_valid_messages()


def test_act_by_is_end_minus_notice_minus_lead_with_month_end_clamping(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"CLAMP-{uid()}"
    bot.add(ref, f"title:Clamp vendor:V{uid()} end:2030-05-31 notice:3mo lead:15d")
    card = bot.command(f"status {ref}")["text"]
    # 31 May − 3 months = 28 Feb 2030 (no 31 Feb); − 15 days = 13 Feb 2030
    assert f"3 months · deadline {d(date(2030, 2, 28))}" in card
    left = (date(2030, 2, 13) - today()).days
    assert f"Act by: {d(date(2030, 2, 13))} ({left} days left)" in card
    fake_slack.assert_valid_messages()


def test_act_by_without_notice_is_end_minus_lead(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"LEAD-{uid()}"
    bot.add(ref, f"title:Lead vendor:V{uid()} end:2030-03-31 lead:1mo")
    card = bot.command(f"status {ref}")["text"]
    assert f"Act by: {d(date(2030, 2, 28))}" in card
    fake_slack.assert_valid_messages()


def test_status_by_reference_ignores_case_and_is_the_default_verb(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"CASE-{uid()}"
    bot.add(ref, f"title:Casing vendor:V{uid()} end:2030-06-30")
    for query in (f"status {ref.lower()}", ref.lower(), f"STATUS {ref.upper()}"):
        answer = bot.command(query)
        assert answer["text"].startswith(f"{ref} · Casing"), (query, answer["text"])
    fake_slack.assert_valid_messages()


def test_status_by_vendor(bot: Bot, fake_slack: FakeSlack) -> None:
    ref, vendor = f"VND-{uid()}", f"Acme{uid()}"
    bot.add(ref, f"title:Printers vendor:{vendor} end:2030-06-30")
    answer = bot.command(f"status {vendor.lower()}")
    assert answer["text"].startswith(f"{ref} · Printers"), answer["text"]
    fake_slack.assert_valid_messages()


def test_status_by_title_words_ignores_accents(bot: Bot, fake_slack: FakeSlack) -> None:
    word = f"Zq{uid()}"
    accented, plain = f"ACC-{uid()}", f"ACP-{uid()}"
    bot.add(accented, f'title:"Société Générale {word}" vendor:V{uid()} end:2030-06-30')
    bot.add(plain, f'title:"Support {word}" vendor:V{uid()} end:2030-06-30')
    answer = bot.command(f"status societe {word.lower()}")
    assert answer["text"].startswith(f"{accented} · Société Générale"), answer["text"]
    answer = bot.command(f"status SOCIÉTÉ generale {word}")
    assert answer["text"].startswith(f"{accented} · Société Générale"), answer["text"]
    fake_slack.assert_valid_messages()


def test_several_matches_give_a_pick_list_whose_buttons_show_the_card(bot: Bot, fake_slack: FakeSlack) -> None:
    vendor = f"Multi{uid()}"
    refs = [f"PICK-{uid()}", f"PICK-{uid()}"]
    for i, ref in enumerate(refs):
        bot.add(ref, f'title:"Pick {i}" vendor:{vendor} end:2030-0{i + 5}-30')
    answer = bot.command(f"status {vendor}")
    assert answer["response_type"] == "ephemeral"
    assert f"2 contracts match “{vendor}”" in answer["text"]
    buttons = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert sorted(b["value"] for b in buttons) == sorted(refs)
    assert all(b["type"] == "button" for b in buttons)

    tag = f"pick-{uid()}"
    status, body = bot.action({
        "type": "block_actions", "user": {"id": "U1", "username": "user_u1", "team_id": "T1"},
        "team": {"id": "T1", "domain": "test"}, "api_app_id": "A1", "token": "verification-token",
        "trigger_id": f"T.{tag}", "channel": {"id": "C1", "name": "general"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1", "is_ephemeral": True},
        "response_url": fake_slack.response_url(tag),
        "actions": [{**buttons[1], "block_id": "pick", "action_ts": "1700000001.000200"}],
    })
    assert status == 200, body
    card = bot.answer(tag)
    assert card["text"].startswith(f"{buttons[1]['value']} · Pick"), card["text"]
    fake_slack.assert_valid_messages()


def test_not_found_names_the_closest_references(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"NF-{uid()}-ALPHA"
    bot.add(ref, f"title:Lookup vendor:V{uid()} end:2030-06-30")
    query = ref.replace("ALPHA", "ALPAH")
    answer = bot.command(f"status {query}")
    assert answer["response_type"] == "ephemeral"
    assert f"No contract found for “{query}”" in answer["text"]
    assert "Closest references:" in answer["text"] and ref in answer["text"]
    fake_slack.assert_valid_messages()


def test_public_makes_a_query_in_channel(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"PUB-{uid()}"
    bot.add(ref, f"title:Shared vendor:V{uid()} end:2030-06-30")
    assert bot.command(f"status {ref}")["response_type"] == "ephemeral"
    answer = bot.command(f"status {ref} public")
    assert answer["response_type"] == "in_channel"
    assert answer["text"].startswith(f"{ref} · Shared")
    fake_slack.assert_valid_messages()


# ---- list ----------------------------------------------------------------------------------------


def test_list_filters_by_vendor_status_type_and_owner(bot: Bot, fake_slack: FakeSlack) -> None:
    vendor, owner_a, owner_b = f"Lister{uid()}", f"UA{uid()}", f"UB{uid()}"
    one, two, three = f"L1-{uid()}", f"L2-{uid()}", f"L3-{uid()}"
    bot.add(one, f"title:One vendor:{vendor} end:2030-01-31 type:saas owner:<@{owner_a}|ann>")
    bot.add(two, f"title:Two vendor:{vendor} end:2030-02-28 type:license owner:<@{owner_b}|bob>")
    bot.add(three, f"title:Three vendor:{vendor} end:2030-03-31 type:saas status:negotiating")

    def listed(text: str) -> set[str]:
        answer = bot.command(f"list vendor:{vendor} {text}".strip())
        assert answer["response_type"] == "ephemeral"
        return {ref for ref in (one, two, three) if ref in answer["text"]}

    everything = bot.command(f"list vendor:{vendor.lower()}")
    assert "Contracts (3)" in everything["text"]
    # ordered by end date
    assert everything["text"].index(one) < everything["text"].index(two) < everything["text"].index(three)
    assert listed("type:saas") == {one, three}
    assert listed("status:negotiating") == {three}
    assert listed("status:active") == {one, two}
    assert listed(f"owner:<@{owner_a}|ann>") == {one}
    assert listed(f"type:saas status:active owner:<@{owner_a}|ann>") == {one}
    assert listed("type:telecom") == set()
    fake_slack.assert_valid_messages()


# ---- amend / renew / terminate / history ---------------------------------------------------------


def test_amend_records_an_amendment_with_before_after_and_note(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"AMD-{uid()}"
    bot.add(ref, f"title:Amended vendor:V{uid()} end:2030-12-31 value:120k")
    answer = bot.command(f'amend {ref} value:135k end:2031-03-31 note:"avenant n°2: +10 licences"', user="U7")
    assert answer["response_type"] == "in_channel"
    assert f"Amendment to {ref}" in answer["text"] and "<@U7>" in answer["text"]
    assert "120000.00 → 135000.00" in answer["text"]

    card = bot.command(f"status {ref}")["text"]
    assert "€135,000.00" in card and d(date(2031, 3, 31)) in card

    history = bot.command(f"history {ref}")
    assert history["response_type"] == "ephemeral"
    text = history["text"]
    assert f"History of {ref}" in text
    assert "amendment · <@U7>" in text
    assert "annual_value: 120000.00 → 135000.00" in text
    assert "end_date: 2030-12-31 → 2031-03-31" in text
    assert "avenant n°2: +10 licences" in text
    fake_slack.assert_valid_messages()


def test_renew_until_and_term(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"RNW-{uid()}"
    bot.add(ref, f"title:Renewed vendor:V{uid()} end:2030-01-31 notice:1mo")
    answer = bot.command(f"renew {ref} until:2031-01-31 note:signed")
    assert answer["response_type"] == "in_channel"
    assert "end_date: 2030-01-31 → 2031-01-31" in answer["text"]
    # term: extends from the current end, month end kept (31 Jan + 1 month = 28 Feb)
    answer = bot.command(f"renew {ref} term:1mo")
    assert "end_date: 2031-01-31 → 2031-02-28" in answer["text"]
    card = bot.command(f"status {ref}")["text"]
    assert f"→ {d(date(2031, 2, 28))}" in card
    assert f"deadline {d(date(2031, 1, 28))}" in card
    history = bot.command(f"history {ref}")["text"]
    assert history.count("renewed · <@U1>") == 2 and "signed" in history
    fake_slack.assert_valid_messages()


def test_terminate_in_the_future_gives_notice_and_in_the_past_terminates(bot: Bot, fake_slack: FakeSlack) -> None:
    future, past = f"TRF-{uid()}", f"TRP-{uid()}"
    bot.add(future, f"title:Future vendor:V{uid()} end:2030-12-31")
    bot.add(past, f"title:Past vendor:V{uid()} end:2030-12-31")

    on = today() + timedelta(days=45)
    answer = bot.command(f"terminate {future} on:{on.isoformat()} note:\"budget cut\"")
    assert answer["response_type"] == "in_channel"
    assert "status: active → notice_given" in answer["text"]
    card = bot.command(f"status {future}")["text"]
    assert "notice given" in card and f"→ {d(on)}" in card

    yesterday = today() - timedelta(days=1)
    answer = bot.command(f"terminate {past} on:{yesterday.isoformat()}")
    assert "status: active → terminated" in answer["text"]
    assert "· terminated" in bot.command(f"status {past}")["text"]
    history = bot.command(f"history {past}")["text"]
    assert "notice given / terminated · <@U1>" in history
    assert f"end_date: 2030-12-31 → {yesterday.isoformat()}" in history
    fake_slack.assert_valid_messages()


def test_history_says_who_and_when(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"HIS-{uid()}"
    bot.add(ref, f"title:Audited vendor:V{uid()} end:2030-12-31", user="U5")
    bot.command(f"amend {ref} notice:2mo", user="U6")
    lines = bot.command(f"history {ref}")["text"].splitlines()
    day = today().isoformat()
    created = next(line for line in lines if "created" in line)
    amended = next(line for line in lines if "amendment" in line)
    assert day in created and "<@U5>" in created
    assert day in amended and "<@U6>" in amended
    assert any("notice: 0d → 2mo" in line for line in lines)
    fake_slack.assert_valid_messages()


# ---- export --------------------------------------------------------------------------------------


def test_export_sends_a_csv_file_to_the_user(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"EXP-{uid()}"
    bot.add(ref, f'title:"Exported, with comma" vendor:V{uid()} end:2030-10-31 notice:90d value:42k')
    fake_slack.clear()
    answer = bot.command("export", user="U9")
    assert answer["response_type"] == "ephemeral"
    assert "CSV" in answer["text"]

    opened = bot.wait_for("conversations.open")
    assert opened[-1]["args"]["users"] == "U9"
    url_call = bot.wait_for("files.getUploadURLExternal")[-1]["args"]
    assert url_call["filename"].endswith(".csv")
    completed = bot.wait_for("files.completeUploadExternal")[-1]["args"]
    assert completed["channel_id"] == "DU9"
    file_id = completed["files"][0]["id"]
    assert file_id in fake_slack.uploads
    content = fake_slack.uploads[file_id].decode("utf-8-sig")
    assert content.startswith(SPEC_CSV_HEADER), content[:200]
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(content))}
    assert rows[ref]["title"] == "Exported, with comma"
    assert rows[ref]["end_date"] == "2030-10-31" and rows[ref]["notice"] == "90d"
    assert rows[ref]["status"] == "active" and rows[ref]["currency"] == "EUR"
    fake_slack.assert_valid_messages()


# ---- the add modal -------------------------------------------------------------------------------


def _open_add_modal(bot: Bot) -> dict:
    trigger = f"T.modal.{uid()}"
    status, body, _tag = bot.send_command("add", trigger_id=trigger)
    assert status == 200, body
    opened = bot.wait_for("views.open", predicate=lambda c: c["args"].get("trigger_id") == trigger)[-1]["args"]
    view = opened["view"]
    assert view["type"] == "modal" and view["callback_id"] == "contract_add_modal"
    block_ids = {b.get("block_id") for b in view["blocks"]}
    assert {"reference", "title", "vendor", "end", "start", "type", "renewal", "notice", "term", "lead", "value",
            "currency", "owner", "channel"} <= block_ids
    return view


def test_add_alone_opens_the_modal_and_its_submission_creates_the_contract(bot: Bot, fake_slack: FakeSlack) -> None:
    view = _open_add_modal(bot)
    ref, vendor = f"MOD-{uid()}", f"Modal{uid()}"
    status, body = bot.action(view_submission(view, {
        "reference": text_input(ref), "title": text_input("From the form"), "vendor": text_input(vendor),
        "end": date_input("2030-06-30"), "start": date_input("2027-07-01"), "type": select_input("cloud"),
        "renewal": select_input("auto"), "notice": text_input("2mo"), "term": text_input("1y"),
        "lead": text_input("10d"), "value": text_input("80k"), "currency": text_input("EUR"),
        "owner": {"type": "users_select", "selected_user": "U07OWNER1"},
        "channel": {"type": "channels_select", "selected_channel": "C07MODAL1"},
    }))
    assert status == 200, body
    assert "errors" not in body, body
    posted = bot.wait_for("chat.postMessage", predicate=lambda c: ref in c["args"].get("text", ""))[-1]["args"]
    assert posted["channel"] == "C07MODAL1"
    card = bot.command(f"status {ref}")["text"]
    assert f"{ref} · From the form" in card
    assert "Cloud · active" in card and "tacit renewal, 1 year at a time" in card
    assert f"deadline {d(date(2030, 4, 30))}" in card and f"Act by: {d(date(2030, 4, 20))}" in card
    assert "€80,000.00" in card and "<@U07OWNER1>" in card
    fake_slack.assert_valid_messages()


@pytest.mark.parametrize("end, start", [("2030-02-30", None), ("2029-01-31", "2030-01-01")],
                         ids=["impossible-date", "end-before-start"])
def test_a_bad_date_in_the_modal_returns_errors_and_creates_nothing(bot: Bot, fake_slack: FakeSlack, end: str,
                                                                     start: str | None) -> None:
    view = _open_add_modal(bot)
    ref = f"MODBAD-{uid()}"
    values = {"reference": text_input(ref), "title": text_input("Bad"), "vendor": text_input(f"V{uid()}"),
              "end": date_input(end)}
    if start:
        values["start"] = date_input(start)
    status, body = bot.action(view_submission(view, values))
    assert status == 200, body
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"end"}
    assert answer["errors"]["end"].strip()
    assert f"No contract found for “{ref}”" in bot.command(f"status {ref}")["text"]
    fake_slack.assert_valid_messages()


# ---- /renewals -----------------------------------------------------------------------------------


def _refs_in_order(text: str, refs: list[str]) -> list[str]:
    return sorted((r for r in refs if r in text), key=text.index)


def test_renewals_windows_order_overdue_and_exclusions(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    tag = uid()
    over, soon, later, mid, far = (f"RN{tag}-{name}" for name in ("OVER", "SOON", "LATER", "MID", "FAR"))
    term, expd = f"RN{tag}-TERM", f"RN{tag}-EXPD"
    vendor = f"Ren{tag}"

    def iso(days: int) -> str:
        return (t0 + timedelta(days=days)).isoformat()

    bot.add(over, f"title:Overdue vendor:{vendor} end:{iso(40)} notice:2mo")      # act-by ~20 days ago
    bot.add(soon, f"title:Soon vendor:{vendor} end:{iso(10)}")
    bot.add(later, f"title:Later vendor:{vendor} end:{iso(20)} renewal:auto term:1y value:50k")
    bot.add(mid, f"title:Mid vendor:{vendor} end:{iso(60)}")
    bot.add(far, f"title:Far vendor:{vendor} end:{iso(200)}")
    bot.add(term, f"title:Gone vendor:{vendor} end:{iso(12)}")
    bot.command(f"amend {term} status:terminated")
    bot.add(expd, f"title:Expired vendor:{vendor} end:{iso(14)} status:expired")
    everything = [over, soon, later, mid, far, term, expd]

    # default: 90 days, most urgent first, the overdue one first and marked
    answer = bot.command("", command="/renewals")
    assert answer["response_type"] == "ephemeral"
    text = answer["text"]
    assert f"Renewals and deadlines, {d(t0)} – {d(t0 + timedelta(days=90))}" in text
    assert _refs_in_order(text, everything) == [over, soon, later, mid]
    lines = [line for line in text.splitlines() if line.strip()][1:]
    over_line = next(line for line in lines if over in line)
    assert over_line.startswith("OVERDUE")
    assert "days overdue" in over_line
    flags = [line.startswith("OVERDUE") for line in lines]
    assert flags == sorted(flags, reverse=True), "every overdue line comes before the others"
    later_line = next(line for line in lines if later in line)
    assert "20 days left" in later_line and "tacit renewal, 1 year at a time" in later_line
    assert "€50,000.00" in later_line
    assert "10 days left" in next(line for line in lines if soon in line)
    assert "OVERDUE" in section_texts(answer)

    text = bot.command("next 30 days", command="/renewals")["text"]
    assert f"{d(t0)} – {d(t0 + timedelta(days=30))}" in text
    assert _refs_in_order(text, everything) == [over, soon, later]

    until = t0 + timedelta(days=250)
    text = bot.command(f"before {until.isoformat()}", command="/renewals")["text"]
    assert f"{d(t0)} – {d(until)}" in text
    assert _refs_in_order(text, everything) == [over, soon, later, mid, far]

    fake_slack.assert_valid_messages()


def test_renewals_d_ici_3_mois(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    inside, outside = f"DICI-{uid()}", f"DICO-{uid()}"
    bot.add(inside, f"title:Inside vendor:V{uid()} end:{(t0 + timedelta(days=60)).isoformat()}")
    bot.add(outside, f"title:Outside vendor:V{uid()} end:{(t0 + timedelta(days=200)).isoformat()}")
    answer = bot.command("d'ici 3 mois", command="/renewals")
    text = answer["text"]
    assert f"{d(t0)} – {d(add_months(t0, 3))}" in text, text
    assert inside in text and outside not in text
    fake_slack.assert_valid_messages()


def test_renewals_this_quarter(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    first = date(t0.year, 3 * ((t0.month - 1) // 3) + 1, 1)
    last = add_months(first, 3) - timedelta(days=1)
    inside, outside = f"QIN-{uid()}", f"QOUT-{uid()}"
    bot.add(inside, f"title:Quarter vendor:V{uid()} end:{last.isoformat()}")
    bot.add(outside, f"title:NextQuarter vendor:V{uid()} end:{(last + timedelta(days=1)).isoformat()}")
    text = bot.command("this quarter", command="/renewals")["text"]
    assert f"{d(first)} – {d(last)}" in text
    assert inside in text and outside not in text
    fake_slack.assert_valid_messages()


def test_renewals_in_march(bot: Bot, fake_slack: FakeSlack) -> None:
    t0 = today()
    year = t0.year if t0.month <= 3 else t0.year + 1
    march, february = f"MAR-{uid()}", f"FEB-{uid()}"
    bot.add(march, f"title:March vendor:V{uid()} end:{year}-03-31")
    bot.add(february, f"title:February vendor:V{uid()} end:{year}-02-15")
    text = bot.command("in March", command="/renewals")["text"]
    assert f"{d(date(year, 3, 1))} – {d(date(year, 3, 31))}" in text
    assert march in text and february not in text
    fake_slack.assert_valid_messages()


# ---- language ------------------------------------------------------------------------------------


def test_replies_follow_the_slack_locale_else_the_default_language(bot: Bot, fake_slack: FakeSlack) -> None:
    ref = f"LANG-{uid()}"
    bot.add(ref, f"title:Langue vendor:V{uid()} end:2030-05-31 notice:3mo")
    french, german, english = f"UFR{uid()}", f"UDE{uid()}", f"UEN{uid()}"
    fake_slack.locales.update({french: "fr-FR", german: "de-DE", english: "en-US"})

    card = bot.command(f"status {ref}", user=french)["text"]
    assert "Décider avant le" in card and "Fournisseur" in card
    assert format_date(date(2030, 2, 28), "d MMM y", locale="fr_FR") in card
    assert "Échéances et renouvellements" in bot.command("", command="/renewals", user=french)["text"]

    # de-DE is neither English nor French: CONTRACTBOT_LANGUAGE (fr for this server) applies
    assert "Décider avant le" in bot.command(f"status {ref}", user=german)["text"]
    # an English locale wins over the French default
    card = bot.command(f"status {ref}", user=english)["text"]
    assert "Act by" in card and "Décider" not in card
    infos = [c["args"] for c in fake_slack.calls("users.info")]
    assert any(a.get("user") == french and str(a.get("include_locale")).lower() in ("true", "1") for a in infos)
    fake_slack.assert_valid_messages()
