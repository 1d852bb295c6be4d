"""Send requests to a running Bolt HTTP app the way Slack does (signed, form-encoded or JSON).

``base_url`` is the Bolt endpoint, e.g. ``http://127.0.0.1:3000/slack/events``; a bare server URL
(no path) gets Bolt's default ``/slack/events``. Every helper returns ``(status, body_text)``, 4xx/5xx included.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

TIMEOUT = 10.0


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack v0 request-signing headers for ``body``: HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def _endpoint(base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    return base_url if parts.path not in ("", "/") else urllib.parse.urljoin(base_url, "/slack/events")


def _post(base_url: str, secret: str, body: str, content_type: str, timestamp: int | None,
          signature: str | None, extra_headers: dict[str, str] | None = None) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(secret, body, timestamp), **(extra_headers or {})}
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    req = urllib.request.Request(_endpoint(base_url), data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode(errors="replace")


def post_command(base_url: str, secret: str, command: str, text: str, *, user_id: str = "U1",
                 channel_id: str = "C1", response_url: str, trigger_id: str = "T.1",
                 timestamp: int | None = None, signature: str | None = None) -> tuple[int, str]:
    """POST a slash command (form-encoded, like Slack). ``signature`` overrides the computed one."""
    fields = {
        "token": "verification-token", "team_id": "T1", "team_domain": "test",
        "channel_id": channel_id, "channel_name": "general" if channel_id.startswith("C") else "directmessage",
        "user_id": user_id, "user_name": f"user_{user_id.lower()}", "command": command, "text": text,
        "api_app_id": "A1", "response_url": response_url, "trigger_id": trigger_id,
    }
    body = urllib.parse.urlencode(fields)
    return _post(base_url, secret, body, "application/x-www-form-urlencoded", timestamp, signature)


def post_action(base_url: str, secret: str, payload: dict[str, Any], *, timestamp: int | None = None,
                signature: str | None = None) -> tuple[int, str]:
    """POST an interaction (block_actions, view_submission, shortcut...) as form field ``payload=<json>``."""
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return _post(base_url, secret, body, "application/x-www-form-urlencoded", timestamp, signature)


def post_event(base_url: str, secret: str, event_body: dict[str, Any], *, timestamp: int | None = None,
               signature: str | None = None, retry_num: int | None = None) -> tuple[int, str]:
    """POST an Events API envelope (``{"type": "event_callback", "event": {...}}``) as JSON.

    ``retry_num`` adds ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` like Slack's redeliveries.
    """
    extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
    return _post(base_url, secret, json.dumps(event_body), "application/json", timestamp, signature, extra)
