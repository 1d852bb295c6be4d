"""Questions about obligations in plain English or French → `/obligation list` with the right scope; the
questions about disputes, incidents and contracts keep their answers."""

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
        ("obligations en retard", Intent("/obligation", "list overdue")),
        ("Obligations en retard ?", Intent("/obligation", "list overdue")),
        ("overdue obligations for Orange", Intent("/obligation", "list orange overdue")),
        ("obligations en retard pour Orange Business", Intent("/obligation", "list orange business overdue")),
        ("late obligations", Intent("/obligation", "list overdue")),
        ("obligations à venir pour Oracle", Intent("/obligation", "list oracle due")),
        ("upcoming obligations", Intent("/obligation", "list due")),
        ("quelles obligations arrivent à échéance ?", Intent("/obligation", "list due")),
        ("obligations for CTR-CAP-001", Intent("/obligation", "list ctr-cap-001 open")),
        ("all obligations for SAP", Intent("/obligation", "list sap all")),
        ("toutes les obligations", Intent("/obligation", "list all")),
        # unchanged
        ("litiges en cours", Intent("/dispute", "list open")),
        ("open incidents for Orange", Intent("/incident", "list orange open")),
        ("what renews next month?", Intent("/renewals", "next month")),
        ("when does the Oracle contract end?", Intent("/contract", "status oracle")),
    ],
)
def test_obligation_questions(text: str, intent: Intent) -> None:
    assert understand(text, tz=PARIS, now=NOW) == intent
