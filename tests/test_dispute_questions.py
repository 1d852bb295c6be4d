"""Questions about disputes and incidents in plain English or French → the list command that answers."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.questions import Intent, understand

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("open disputes for Oracle", Intent("/dispute", "list oracle open")),
        ("Open disputes for Oracle?", Intent("/dispute", "list oracle open")),
        ("litiges en cours", Intent("/dispute", "list open")),
        ("litiges ouverts pour Oracle", Intent("/dispute", "list oracle open")),
        ("quels litiges avec Orange Business ?", Intent("/dispute", "list orange business open")),
        ("all disputes for SAP", Intent("/dispute", "list sap all")),
        ("tous les litiges", Intent("/dispute", "list all")),
        ("open incidents for Orange", Intent("/incident", "list orange open")),
        ("incidents ouverts pour Orange", Intent("/incident", "list orange open")),
        ("incidents en cours", Intent("/incident", "list open")),
        # not about disputes or open incidents: unchanged
        ("when does the Oracle contract end?", Intent("/contract", "status oracle")),
        ("when does the incident management contract end?", Intent("/contract", "status incident management")),
        ("what renews next month?", Intent("/renewals", "next month")),
    ],
)
def test_dispute_and_incident_questions(text: str, intent: Intent) -> None:
    assert understand(text, tz=PARIS, now=NOW) == intent
