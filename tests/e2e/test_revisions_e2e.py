"""Price revision end to end: `serve` (managers UBOSS and UFRBOSS; in the test process,
see tests/e2e/helpers.py) and a FakeSlack, signed slash
commands and button clicks as Slack sends them, `jobs run revisions` and `import index` on the same database
(the first post and the refused import on the wire, `wire_cli`: a real process on SQLite; bot.cli.main in the
test process for the others). English and French; bad input and strangers change nothing."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.durations import add_months
from tests.conftest import SECRET
from tests.e2e.cli_helpers import block_actions, buttons, day, history, ledger_for, posts, wire_cli
from tests.e2e.helpers import Stack, assert_no_traceback, section_texts, serve_stack
from tests.support.inproc import cli_here
from tests.support.signed import post_action, post_command

MANAGER, FRENCH, STRANGER = "UBOSS", "UFRBOSS", "U0STRANGER"
_tags = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack_ = serve_stack(request, tmp_path_factory, "rv", locales={FRENCH: "fr-FR"},
                         CONTRACTBOT_MANAGERS=f"{MANAGER},{FRENCH}", CONTRACTBOT_ALERT_CHANNEL="C0ALERTS9")
    for running in stack_:
        yield running
        assert_no_traceback(running.fake)


def slash(stack: Stack, command: str, text: str, *, user: str = MANAGER) -> dict[str, Any]:
    tag = f"rv-{next(_tags)}"
    status, _ = post_command(stack.serve.events_url, SECRET, command, text, user_id=user,
                             response_url=stack.fake.response_url(tag))
    assert status == 200
    answer = stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert answer.get("blocks") and answer.get("text")
    return answer


def refused(answer: dict[str, Any], *words: str) -> None:
    assert answer.get("response_type", "ephemeral") == "ephemeral", answer
    for word in words:
        assert word in answer["text"], answer["text"]


def name() -> str:
    return "idx" + uuid.uuid4().hex[:6]


def add_contract(stack: Stack, ref: str, extra: str = "") -> None:
    answer = slash(stack, "/contract", f"add {ref} title:\"TMA {ref}\" vendor:Capgemini start:2024-01-01 "
                                       f"end:2030-12-31 value:1767 {extra}")
    assert answer["response_type"] == "in_channel", answer["text"]


def test_index_values_set_list_correct_and_refuse(stack: Stack) -> None:
    idx = name()
    done = slash(stack, "/index", f"set {idx} 2024-09 314.5 published:2024-10-31")
    assert done["response_type"] == "in_channel" and "314.5" in done["text"] and "31 Oct 2024" in done["text"]
    fixed = slash(stack, "/index", f"set {idx} 2024-09 314,6")
    assert "314.5 → 314.6" in fixed["text"]
    for text, words in ((f"set {idx} 2024-13 300", ["2024-13", "YYYY-MM"]), (f"set {idx} 2024-10 abc", ["abc"]),
                        (f"set {idx} 2024-10 -3", ["-3"]), (f"set {idx} 2024-10", ["/index set"])):
        refused(slash(stack, "/index", text), *words)
    refused(slash(stack, "/index", f"set {idx} 2024-10 300", user=STRANGER))
    injected = slash(stack, "/index", "set <!channel> 2024-10 300")
    refused(injected, "&lt;!channel&gt;")
    assert "<!channel>" not in str(injected)
    listing = slash(stack, "/index", idx)
    assert "2024-09" in section_texts(listing) and "314.6" in listing["text"] and "corrected 1×" in listing["text"]
    assert "2024-10" not in listing["text"]  # the refused writes changed nothing
    assert idx in slash(stack, "/index", "")["text"]
    assert "/index set" in slash(stack, "/index", "help")["text"]
    french = slash(stack, "/index", idx, user=FRENCH)
    assert "publiée" in french["text"] and "314,6" in french["text"]


def test_import_index_is_all_or_nothing(stack: Stack, tmp_path: Path) -> None:
    idx = name()
    bad = tmp_path / "bad.csv"
    bad.write_text("month,value,published\n2024-01,290.1,\n2024-14,291,\n2024-02,x,\n", encoding="utf-8")
    result = wire_cli(["import", "index", idx, str(bad)], stack.env, expect=1)
    assert f"{bad}:3:" in result.stderr and f"{bad}:4:" in result.stderr and "nothing was imported" in result.stderr
    assert "No value" in slash(stack, "/index", idx)["text"]
    good = tmp_path / "good.csv"
    good.write_text("month,value,published\n2024-01,290.1,\n2024-02,291.25,2024-03-29\n", encoding="utf-8")
    assert "2 added" in cli_here(["import", "index", idx, str(good)], stack.env).stdout
    assert "291.25" in slash(stack, "/index", idx)["text"]


def test_clause_revise_and_apply_the_worked_example(stack: Stack) -> None:
    idx, ref = name(), "RV-" + uuid.uuid4().hex[:5].upper()
    add_contract(stack, ref)
    slash(stack, "/index", f"set {idx} 2023-09 280")
    refused(slash(stack, "/contract", f"indexation {ref} index:{idx} base:2023-09 fixed:1.5"), "1.5", "indexation")
    refused(slash(stack, "/contract", f"indexation {ref} index:{idx} base:2023-09", user=STRANGER))
    refused(slash(stack, "/contract", f"indexation {ref} index:{idx} base:sept fixed:0.15"), "sept")
    assert not any(action == "indexation" for action, *_ in history(stack.url, ref))
    set_ = slash(stack, "/contract", f"indexation {ref} index:{idx} base:2023-09 fixed:0.15 first:2025-01-01 lag:3")
    assert set_["response_type"] == "in_channel" and "0.85 × S / S0" in set_["text"]
    card = slash(stack, "/contract", ref)
    assert "Price revision" in card["text"] and idx in card["text"]
    missing = slash(stack, "/contract", f"revise {ref} at:2025-01-01")
    assert f"{idx} 2024-10 is not recorded yet" in missing["text"]
    refused(slash(stack, "/contract", f"revise {ref} at:2025-01-01 apply"), f"{idx} 2024-10 is not recorded yet")
    slash(stack, "/index", f"set {idx} 2024-10 294.6")
    shown = slash(stack, "/contract", f"revise {ref} at:2025-01-01")
    for part in ("P0 = €1,767.00", f"S0 = {idx} 2023-09 = 280", f"S = {idx} 2024-10 = 294.6",
                 "1767.00 × (0.15 + 0.85 × 294.6 / 280)", "€1,845.32", "1 Jan 2025"):
        assert part in shown["text"], (part, shown["text"])
    refused(slash(stack, "/contract", f"revise {ref} at:2025-01-01 apply", user=STRANGER))
    assert "1,767.00" in slash(stack, "/contract", ref)["text"]
    applied = slash(stack, "/contract", f"revise {ref} at:2025-01-01 apply")
    assert applied["response_type"] == "in_channel" and "€1,767.00 → *€1,845.32*" in section_texts(applied)
    assert "1,845.32" in slash(stack, "/contract", ref)["text"]
    amend = [h for h in history(stack.url, ref) if h[0] == "amend"]
    assert len(amend) == 1 and amend[0][1] == MANAGER and amend[0][2]["annual_value"] == ["1767.00", "1845.32"]
    assert "S 2024-10 = 294.6" in (amend[0][3] or "")
    again = slash(stack, "/contract", f"revise {ref} at:2025-01-01 apply")
    refused(again, "already applied")
    french = slash(stack, "/contract", f"revise {ref}", user=FRENCH)
    assert "Révision de prix" in french["text"]
    assert "/contract revise" in slash(stack, "/contract", "revise help")["text"]


def test_the_revisions_job_posts_once_and_the_apply_button(stack: Stack) -> None:
    idx, ref, channel = name(), "RJ-" + uuid.uuid4().hex[:5].upper(), "C0REV" + uuid.uuid4().hex[:5].upper()
    add_contract(stack, ref, f"channel:<#{channel}> owner:<@U0OWNER9>")
    first = day(20)
    s_month = add_months(first.replace(day=1), -3)
    slash(stack, "/index", f"set {idx} 2023-09 280")
    slash(stack, "/index", f"set {idx} {s_month:%Y-%m} 294.6")
    slash(stack, "/contract", f"indexation {ref} index:{idx} base:2023-09 fixed:0.15 first:{first} lag:3")
    mark = len(stack.fake.calls())
    dry = cli_here(["jobs", "run", "revisions", "--dry-run"], stack.env).stdout
    assert f"{ref}: revision on {first}" in dry and posts(stack.fake, channel, mark) == []
    assert ledger_for(stack.url, ref) == []
    out = wire_cli(["jobs", "run", "revisions"], stack.env).stdout
    assert "posted" in out, out
    cli_here(["jobs", "run", "revisions"], stack.env)  # again (in this process): nothing more
    [post] = posts(stack.fake, channel, mark)
    args = post["args"]
    assert ref in args["text"] and "<@U0OWNER9>" in args["text"] and "1,845.32" in args["text"]
    alert_id = buttons(args)["revision_apply"]
    [row] = ledger_for(stack.url, ref)
    assert (str(row.id), row.state, row.channel) == (alert_id, "posted", channel)

    def click(user: str) -> str:
        tag = f"rv-act-{next(_tags)}"
        payload = block_actions(stack.fake, user=user, action_id="revision_apply", value=alert_id, channel=channel,
                                message_ts=row.ts, message=args, tag=tag)
        assert post_action(stack.serve.events_url, SECRET, payload)[0] == 200
        return tag

    tag = click(STRANGER)
    answer = stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert "manager" in answer["text"].lower() and answer.get("response_type") == "ephemeral"
    assert "1,767.00" in slash(stack, "/contract", ref)["text"]
    tag = click(MANAGER)
    stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))
    update = stack.fake.wait_for("chat.update", predicate=lambda c: c["args"].get("ts") == row.ts)[-1]["args"]
    assert "Applied by <@UBOSS>" in update["text"] and "revision_apply" not in str(update["blocks"])
    assert "1,845.32" in slash(stack, "/contract", ref)["text"]
    next_on = add_months(first, 12)
    assert f"{next_on.day} " in slash(stack, "/contract", f"indexation {ref}")["text"]
    tag = click(MANAGER)  # a second click: already applied, said plainly
    again = stack.fake.wait_for("response_url", predicate=lambda c: c["path"].endswith("/" + tag))[-1]["args"]
    assert "already applied" in again["text"]
    assert len(posts(stack.fake, channel, mark)) == 1


