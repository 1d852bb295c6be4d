"""Every Block Kit builder escapes what a person typed (issue 6, item 2): with hostile references,
titles, vendors, notes and summaries, no `<!…>` broadcast, `<@…>` mention or `<http…|…>` link they
contain survives raw — in any block or in the plain-text fallback — and every `&` is an entity.

The builders are pure functions; they get real model objects (not stored) and we read `to_dict()`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import Window
from bot.durations import Duration
from bot.render import alerts, contracts, incidents, sla
from bot.render.common import Message
from storage.models import AuditEvent, Contract, Incident, SlaTerm, Vendor

TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
INJECTIONS = ["<!here>", "<!channel>", "<!everyone>", "<@U0VICTIM>", "<https://evil.example|click>",
              "<mailto:a@b.example>", "<#C0SECRET>", "&lt;!here&gt;", "AT&T"]
# Our own markup: the owner's mention and the channel the bot itself names. Anything else in <…> is injected.
OURS = re.compile(r"<@U0OWNER>|<#C0ALERTS>")
RAW_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")

hostile = st.builds(lambda a, injection, b: f"{a}{injection}{b}", st.text(max_size=8), st.sampled_from(INJECTIONS),
                    st.text(max_size=8))


def _contract(title: str, vendor: str, reference: str = "CTR-1") -> Contract:
    return Contract(id=1, reference=reference, reference_key=reference.upper(), title=title,
                    vendor=Vendor(name=vendor, name_key=vendor.lower(), created_at=NOW), type="other",
                    status="active", start_date=date(2026, 1, 1), end_date=TODAY + timedelta(days=10),
                    notice=Duration(), term=Duration(months=12), lead=Duration(), renewal="auto", notice_deadline=TODAY + timedelta(days=10),
                    act_by=TODAY + timedelta(days=10), annual_value=None, currency="EUR", owner="U0OWNER",
                    channel="C0ALERTS", end_anchor=TODAY + timedelta(days=10), renewals_since_anchor=0)


def _incident(contract: Contract, summary: str, note: str) -> Incident:
    return Incident(id=7, contract=contract, contract_id=1, priority="P1", summary=summary, status="resolved",
                    opened_at=NOW - timedelta(hours=5), opened_by="U0OWNER", acked_at=NOW - timedelta(hours=4),
                    acked_by="U0OWNER", resolved_at=NOW, resolved_by="U0OWNER", resolution_note=note, clock="24x7",
                    response_target=Duration(minutes=60), resolution_target=Duration(minutes=240),
                    response_due_at=NOW - timedelta(hours=4),
                    resolve_due_at=NOW - timedelta(hours=1))


def _messages(title: str, vendor: str, note: str, summary: str, reference: str) -> list[Message]:
    contract = _contract(title, vendor, reference)
    incident = _incident(contract, summary, note)
    event = AuditEvent(at=NOW, actor=f"import {note}", entity_type="contract", entity_id=1, action="amend",
                       changes={"title": ["Old " + title, title], "vendor": [None, vendor]}, note=note)
    changes = {"title": ("Old " + title, title), "vendor": (vendor, vendor + "2")}
    term = SlaTerm(priority="P1", response=Duration(minutes=60), resolution=Duration(minutes=240), clock="24x7",
                   credit_pct=None)
    out: list[Message] = []
    for lang in ("en", "fr"):
        out += [
            contracts.card(lang, contract, today=TODAY),
            contracts.contract_list(lang, [contract], 1, today=TODAY),
            contracts.renewals(lang, [contract], 1, window=Window(TODAY, TODAY + timedelta(days=90)), today=TODAY),
            contracts.pick_list(lang, summary, [contract, contract], 2),
            contracts.not_found(lang, summary, [reference]),
            contracts.history(lang, contract, [event], tz=TZ),
            contracts.changed(lang, "amend", contract, changes, "U0OWNER", today=TODAY),
            contracts.changed(lang, "create", contract, {}, "U0OWNER", today=TODAY),
            alerts.deadline(lang, contract, threshold=14, alert_id=3, today=TODAY,
                            state=alerts.AlertState(settled=None)),
            incidents.recorded(lang, incident, TZ),
            incidents.changed(lang, "inc_resolved", incident, TZ, now=NOW),
            incidents.card(lang, incident, TZ, now=NOW),
            incidents.listing(lang, [incident], 1, TZ, title="Incidents", now=NOW),
            incidents.sla_alert(lang, incident, target="response", level="breached", alert_id=4, tz=TZ),
            sla.terms(lang, contract, [term], None),
            sla.breaches(lang, [incident], TZ, title="Breaches"),
        ]
    return out


def _shown_texts(message: Message) -> list[str]:
    """The fallback text and every text object of every block (mrkdwn and plain_text alike)."""
    texts = [message.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.to_dict()["blocks"])
    return texts


@settings(max_examples=60, deadline=None)
@given(title=hostile, vendor=hostile, note=hostile, summary=hostile)
def test_no_builder_lets_a_mention_link_or_raw_ampersand_through(title: str, vendor: str, note: str,
                                                                  summary: str) -> None:
    for message in _messages(title, vendor, note, summary, reference="CTR-1"):
        for text in _shown_texts(message):
            stripped = OURS.sub("", text)
            assert "<" not in stripped and ">" not in stripped.replace("->", ""), text
            assert not RAW_ENTITY.search(text), text


def test_a_hostile_reference_stored_before_references_were_bounded_is_escaped_too() -> None:
    reference = "<!here>"
    for message in _messages("T", "V", "n", "s", reference=reference):
        for text in _shown_texts(message):  # a button's value stays the reference itself: it is never shown
            assert "<!here>" not in text, text


@settings(max_examples=30, deadline=None)
@given(title=hostile, summary=hostile)
def test_the_dispute_card_escapes_its_blocks_and_its_fallback(title: str, summary: str) -> None:
    from decimal import Decimal

    from bot.render import disputes
    from storage.models import Dispute

    contract = _contract(title, "V")
    dispute = Dispute(id=7, contract=contract, contract_id=1, summary=summary, status="open",
                      amount_claimed=Decimal("100.00"), amount_recovered=None, currency="EUR", outcome=None,
                      from_sla=False, opened_at=NOW, opened_by="U0OWNER", updated_at=NOW, last_activity_at=NOW)
    message = disputes.card("en", dispute, [], [], TZ)
    for text in _shown_texts(message):
        stripped = OURS.sub("", text)
        assert "<" not in stripped and ">" not in stripped.replace("->", ""), text
        assert not RAW_ENTITY.search(text), text
