"""The fast tier: signed requests dispatched in-process through Bolt's ``app.dispatch(BoltRequest)``.

The app is the real one (`create_app`), with a fixed clock and the fake Slack Web API on loopback, so
listener behaviour is checked without starting a server; the end-to-end tier (tests/e2e) keeps the
wire. Each test runs twice: with `process_before_response=True` (`inline`: `dispatch` returns after the
listener has answered, the way bolt-python's own scenario tests run, and the local shell does) and as
`serve` runs it (`after-ack`: the listener goes on in the app's executor after its ack —
handlers.acking —, and the helper waits for that work to be done before looking at what was said).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.clock import FixedClock
from bot.lifecycle import Lifecycle
from bot.settings import Settings
from tests.conftest import SECRET, make_settings
from tests.support.fake_slack import FakeSlack, validate_blocks
from tests.support.signed import sign


@dataclass
class InProcess:
    """One app with a fixed clock; ``command`` returns the answer Slack would receive at response_url."""

    app: App
    fake: FakeSlack
    clock: FixedClock
    session_factory: sessionmaker[Session]
    settings: Settings
    life: Lifecycle | None = None  # after-ack mode: the work still running after `dispatch` returned
    _seq: int = 0

    def set_now(self, moment: datetime) -> None:
        self.clock.at = moment

    def _dispatch(self, body: str, content_type: str) -> BoltResponse:
        headers = {"content-type": [content_type], **{k.lower(): [v] for k, v in sign(SECRET, body, int(time.time())).items()}}
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        if self.life is not None:
            assert self.life.in_flight.wait_idle(30), "the work after the ack did not finish"
        return response

    def send_command(self, text: str, *, command: str = "/contract", user: str = "U1",
                     channel: str = "C1") -> tuple[BoltResponse, str]:
        self._seq += 1
        tag = f"inproc{self._seq}"
        fields = {"token": "t", "team_id": "T1", "channel_id": channel, "user_id": user, "command": command,
                  "text": text, "api_app_id": "A1", "response_url": self.fake.response_url(tag),
                  "trigger_id": f"T.{self._seq}"}
        return self._dispatch(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded"), tag

    def command(self, text: str, **kwargs: Any) -> dict[str, Any]:
        response, tag = self.send_command(text, **kwargs)
        assert response.status == 200, (response.status, response.body)
        calls = [c for c in self.fake.calls("response_url") if c["path"] == f"/response/{tag}"]
        assert len(calls) == 1, f"expected one answer at the response_url, got {len(calls)}"
        answer = calls[0]["args"]
        validate_blocks(answer.get("blocks", []))
        assert "Traceback" not in json.dumps(answer)
        return answer

    # ---- interactivity and events (same payloads Slack sends; see tests/e2e/cli_helpers.py) -------
    def action(self, payload: dict[str, Any]) -> BoltResponse:
        return self._dispatch(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                              "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any]) -> BoltResponse:
        self._seq += 1
        envelope = {"token": "t", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event": event,
                    "event_id": f"EvInproc{self._seq}", "event_time": int(time.time()),
                    "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]}
        return self._dispatch(json.dumps(envelope), "application/json")

    def answers(self, tag: str) -> list[dict[str, Any]]:
        """What was said at the response_url `tag` (each validated as Block Kit)."""
        found = [c["args"] for c in self.fake.calls("response_url") if c["path"] == f"/response/{tag}"]
        for answer in found:
            validate_blocks(answer.get("blocks", []))
        return found


@pytest.fixture(params=["inline", "after-ack"])
def inproc(request: pytest.FixtureRequest, session_factory: sessionmaker[Session], db_url: str) -> Iterator[InProcess]:
    with FakeSlack() as fake:
        settings = make_settings(db_url, fake.url)
        clock = FixedClock(datetime(2026, 6, 15, 10, 0, tzinfo=UTC))
        inline = request.param == "inline"
        life = None if inline else Lifecycle()
        app, _runtime = create_app(settings, session_factory, clock, process_before_response=inline, lifecycle=life)
        yield InProcess(app, fake, clock, session_factory, settings, life)
