"""The local shell's Slack: a tiny Web API on 127.0.0.1 that prints what the bot posts as text.

The shell drives the real handlers through Bolt, and the real slack_sdk client talks HTTP to this
server (SLACK_API_URL), so the shell exercises the same code paths as Slack — the Hubot shell
adapter / Errbot text backend convention.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qs, urlparse

_LINK = re.compile(r"<([@#])([A-Z0-9]+)(?:\|([^>]*))?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # ESC and friends: a title must not drive the terminal


def mrkdwn_to_text(text: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)}{m.group(3) or m.group(2)}", _CONTROL.sub("", text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_to_text(blocks: list[dict[str, Any]], fallback: str) -> str:
    """Block Kit rendered for a terminal: headers, sections, fields, context, buttons."""
    if not blocks:
        return mrkdwn_to_text(fallback)
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = mrkdwn_to_text(block["text"]["text"])
            lines += [title, "─" * min(len(title), 72)]
        elif kind == "section":
            if block.get("text"):
                lines.append(mrkdwn_to_text(block["text"]["text"]))
            for item in block.get("fields") or []:
                label, _, value = item["text"].partition("\n")
                lines.append(f"  {mrkdwn_to_text(label).strip('*')}: {mrkdwn_to_text(value)}")
        elif kind == "context":
            lines += ["  " + mrkdwn_to_text(e.get("text", "")) for e in block.get("elements", [])]
        elif kind == "actions":
            lines.append("  " + " ".join(f"[{mrkdwn_to_text(e['text']['text'])}]" for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("")
    return "\n".join(lines)


class TerminalSlack:
    """Answers the Web API methods the bot uses; prints messages to `out`."""

    def __init__(self, out: TextIO, *, locale: str = "en-US") -> None:
        self.out = out
        self.locale = locale
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # silence the default access log
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._answer({})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                self._answer(args)

            def _answer(self, args: dict[str, Any]) -> None:
                url = urlparse(self.path)
                args.update({k: v[0] for k, v in parse_qs(url.query).items()})
                body = outer.handle(url.path, args)
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/response"

    def _print(self, where: str, args: dict[str, Any]) -> None:
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = blocks_to_text(blocks, args.get("text") or "")
        with self._lock:
            self.out.write(f"\n[{where}]\n{text}\n")
            self.out.flush()

    def handle(self, path: str, args: dict[str, Any]) -> dict[str, Any]:
        method = path.rsplit("/", 1)[-1]
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        actions: dict[str, Callable[[], dict[str, Any]]] = {
            "auth.test": lambda: {"user_id": "UCONTRACTBOT", "bot_id": "BCONTRACTBOT", "team_id": "TLOCAL"},
            "users.info": lambda: {"user": {"id": args.get("user"), "locale": self.locale, "tz": "UTC"}},
            "conversations.open": lambda: {"channel": {"id": "D" + str(args.get("users", "LOCAL"))}},
        }
        if path.endswith("/response") or method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            where = {"response": "reply", "chat.postMessage": f"posted in {args.get('channel')}",
                     "chat.postEphemeral": "only you can see this", "chat.update": "message updated"}[method]
            self._print(where, args)
            return {"ok": True, "channel": args.get("channel", "CLOCAL"), "ts": ts}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": self.url.replace("/api/", "/upload"), "file_id": "FLOCAL"}
        if path.endswith("/upload"):
            return {"ok": True}
        if method == "files.completeUploadExternal":
            with self._lock:
                self.out.write("\n[file sent to you] (use `contractbot export contracts` to get it on stdout)\n")
            return {"ok": True, "files": [{"id": "FLOCAL"}]}
        if method == "views.open":
            with self._lock:
                self.out.write("\n[a form would open in Slack; in the shell, type the command with its options]\n")
            return {"ok": True, "view": {"id": "VLOCAL"}}
        return {"ok": True, **actions.get(method, dict)()}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
