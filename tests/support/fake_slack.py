"""A fake Slack Web API on loopback: the network boundary only, for tests.

Point the app at it with ``SLACK_API_URL=fake.url`` (``http://127.0.0.1:PORT/api/``). Every request is
recorded as ``{"method", "args", "headers", "at", "path"}``; answers are realistic JSON.

    with FakeSlack() as fake:
        WebClient(base_url=fake.url, token="xoxb-x").chat_postMessage(channel="C1", text="hi")
        fake.wait_for("chat.postMessage")
        fake.assert_valid_messages()
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.models.blocks import Block

Call = dict[str, Any]

#: Arguments that slack_sdk sends JSON-encoded inside form bodies; recorded decoded.
JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
#: Methods whose ``blocks`` are messages checked by :meth:`FakeSlack.assert_valid_messages`.
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "response_url")
MAX_BLOCKS = 50


def block_problems(blocks: Any) -> list[str]:
    """Everything wrong with a message's ``blocks`` per slack_sdk's Block Kit models (empty list: valid)."""
    if not isinstance(blocks, list):
        return [f"blocks is not a list: {type(blocks).__name__}"]
    problems = [f"{len(blocks)} blocks > {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is None:
                problems.append(f"block {i} not recognised: {raw!r:.200}")
            else:
                block.validate_json()
        except Exception as exc:  # SlackObjectFormationError, or TypeError on malformed input
            problems.append(f"block {i} ({raw.get('type') if isinstance(raw, dict) else raw!r:.40}): {exc}")
    return problems


def validate_blocks(blocks: list[dict[str, Any]]) -> None:
    """Raise AssertionError unless ``blocks`` is a valid Block Kit list of at most 50 blocks."""
    problems = block_problems(blocks)
    if problems:
        raise AssertionError("invalid blocks: " + "; ".join(problems))


def _decode_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # leave it as sent; validation will complain
    return args


class FakeSlack:
    """Threaded HTTP server on 127.0.0.1 (random port) answering Slack Web API methods."""

    def __init__(self) -> None:
        self.locales: dict[str, str] = {}      # user id -> locale in users.info (default "en-US")
        self.timezones: dict[str, str] = {}    # user id -> tz in users.info (default "Europe/Paris")
        self.uploads: dict[str, bytes] = {}    # file id -> bytes POSTed to its upload_url
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages posted there, oldest first
        self._calls: list[Call] = []
        self._cond = threading.Condition()
        self._failures: dict[str, list[tuple[int, str]]] = {}  # method -> queue of (http status, error)
        self._holds: dict[str, threading.Event] = {}  # method -> answered once the event is set
        self._drops: dict[str, int] = {}  # method -> how many of its next calls are recorded, then unanswered
        self._connections: set[Any] = set()  # open client sockets (HTTP/1.1: kept alive between requests)
        self._seq = itertools.count(1)
        self._last_ts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack",
                                        daemon=True)
        self._thread.start()

    # ---- public helpers -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)`` / ``SLACK_API_URL``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, tag: str) -> str:
        """A ``response_url`` for slash-command/interaction payloads; calls are recorded as ``"response_url"``."""
        return f"http://127.0.0.1:{self.port}/response/{urllib.parse.quote(tag, safe='')}"

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls (copies of the list, oldest first), optionally only those to ``method``."""
        with self._cond:
            return [c for c in self._calls if method is None or c["method"] == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0,
                 predicate: Callable[[Call], bool] | None = None) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` (matching ``predicate``) arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c["method"] == method and (predicate is None or predicate(c))]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._cond.wait(remaining)
            if len(found) < count:
                seen = [c["method"] for c in self._calls]
                raise AssertionError(f"waited {timeout}s for {count} x {method}, got {len(found)}; calls: {seen}")
            return found

    def clear(self) -> None:
        """Forget recorded calls, uploads and pending failures."""
        with self._cond:
            self._calls.clear()
            self._failures.clear()
            self._drops.clear()
            self.uploads.clear()

    def fail_next(self, method: str, n: int = 1, error: str = "internal_error") -> None:
        """The next ``n`` calls to ``method`` answer HTTP 200 ``{"ok": false, "error": error}``."""
        with self._cond:
            self._failures.setdefault(method, []).extend([(200, error)] * n)

    def fail_status(self, method: str, n: int = 1, status: int = 500) -> None:
        """The next ``n`` calls to ``method`` answer HTTP ``status`` (429 also sends ``Retry-After: 1``)."""
        with self._cond:
            self._failures.setdefault(method, []).extend([(status, f"http_{status}")] * n)

    def hold(self, method: str) -> threading.Event:
        """Calls to ``method`` are recorded at once but answered only after the returned event is set
        (a slow Slack, to keep a request in flight as long as a test needs)."""
        event = threading.Event()
        with self._cond:
            self._holds[method] = event
        return event

    def drop_next(self, method: str, n: int = 1) -> None:
        """The next ``n`` calls to ``method`` are recorded, then their connection is closed without an
        answer (Slack took the request and the network lost the reply)."""
        with self._cond:
            self._drops[method] = self._drops.get(method, 0) + n

    def drop_connections(self) -> int:
        """Close every kept-alive client connection now, as a server does with idle ones; how many."""
        with self._cond:
            sockets = list(self._connections)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(sockets)

    def assert_valid_messages(self, since: int = 0) -> None:
        """Raise AssertionError naming every recorded message call with invalid blocks or no ``text`` fallback;
        ``since``: only the calls from that index on (``len(calls())`` read when a test started)."""
        bad = []
        for i, call in enumerate(self.calls()[since:], start=since):
            args = call["args"]
            if call["method"] not in MESSAGE_METHODS or not isinstance(args, dict) or "blocks" not in args:
                continue
            problems = block_problems(args["blocks"])
            if not (isinstance(args.get("text"), str) and args["text"].strip()):
                problems.append("no non-empty text fallback")
            if problems:
                bad.append(f"call #{i} {call['method']} (channel={args.get('channel')}): " + "; ".join(problems))
        if bad:
            raise AssertionError("invalid Slack messages:\n" + "\n".join(bad))

    def close(self) -> None:
        """Stop serving and release the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self.drop_connections()  # kept-alive ones: their handler threads end, the clients see it

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- request handling -----------------------------------------------------------------------
    def _next_ts(self) -> str:
        """Like Slack's: the wall clock in microseconds, unique and increasing (read against `oldest`)."""
        with self._cond:
            micro = max(int(time.time() * 1_000_000), self._last_ts + 1)
            self._last_ts = micro
        return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"

    def _record(self, method: str, args: Any, headers: dict[str, str], path: str) -> tuple[int, str] | None:
        """Record a call; return a pending injected failure for it, if any."""
        with self._cond:
            self._calls.append({"method": method, "args": args, "headers": headers, "at": time.time(), "path": path})
            self._cond.notify_all()
            queue = self._failures.get(method)
            return queue.pop(0) if queue else None

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {**ok, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "team": "Test",
                    "user": "contractbot", "url": "https://test.slack.com/"}
        if method in ("chat.postMessage", "chat.scheduleMessage"):
            ts = self._next_ts()
            message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": ts,
                       "text": args.get("text", ""), "blocks": args.get("blocks", [])}
            if isinstance(args.get("metadata"), dict):
                message["metadata"] = args["metadata"]
            extra = {"scheduled_message_id": f"Q{ts.replace('.', '')}"} if method == "chat.scheduleMessage" else {}
            channel = str(args.get("channel"))
            if method == "chat.postMessage" and channel[:1] in ("U", "W"):  # a DM lands in the IM channel
                channel = "D" + channel
            if method == "chat.postMessage":
                with self._cond:
                    self.history.setdefault(channel, []).append(message)
            return {**ok, "channel": channel if method == "chat.postMessage" else args.get("channel"), "ts": ts,
                    "message": message, **extra}
        if method == "conversations.history":
            return {**ok, **self._history_page(args)}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {**ok, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text", ""),
                    "message": {"text": args.get("text", ""), "blocks": args.get("blocks", [])}}
        if method == "users.info":
            uid = str(args.get("user", "U0"))
            return {**ok, "user": {"id": uid, "team_id": "T1", "name": f"user_{uid.lower()}", "real_name": uid,
                                   "tz": self.timezones.get(uid, "Europe/Paris"), "tz_offset": 3600,
                                   "locale": self.locales.get(uid, "en-US"), "is_bot": False, "deleted": False}}
        if method == "conversations.open":
            users = str(args.get("users", args.get("user", "U0")))
            return {**ok, "channel": {"id": "D" + users.replace(",", "")}}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = args.get("view") if isinstance(args.get("view"), dict) else {}
            view_id = args.get("view_id") or f"V{next(self._seq):08d}"
            return {**ok, "view": {**view, "id": view_id, "hash": f"h{next(self._seq)}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._seq):08d}"
            return {**ok, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") if isinstance(args.get("files"), list) else []
            return {**ok, "files": [{"id": f.get("id"), "title": f.get("title"), "name": f.get("title"),
                                     "size": len(self.uploads.get(str(f.get("id")), b""))} for f in files]}
        if method == "apps.connections.open":
            return {"ok": False, "error": "not_allowed"}
        return ok

    def _history_page(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, after ``oldest``, ``metadata`` only with
        ``include_all_metadata``, paged by ``limit`` with an offset cursor."""
        with self._cond:
            stored = list(reversed(self.history.get(str(args.get("channel")), [])))
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                    for m in stored if float(m["ts"]) > oldest]
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page, more = messages[start:start + limit], start + limit < len(messages)
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Slack's servers; urllib clients still close
            disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall between

            def setup(self) -> None:
                super().setup()
                with fake._cond:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._cond:
                    fake._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a test killed it mid-call): Slack answers into the void too

            def _parse(self, raw: bytes, query: str) -> Any:
                args: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
                ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if ctype == "application/json" and raw:
                    body = json.loads(raw)
                    return _decode_args({**args, **body}) if isinstance(body, dict) else body
                if raw:
                    args.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
                return _decode_args(args)

            def _handle(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                if parsed.path.startswith("/upload/"):
                    file_id = parsed.path[len("/upload/"):]
                    failure = fake._record("upload", {"file_id": file_id, "size": len(raw)}, headers, parsed.path)
                    if failure:
                        self._send(failure[0], {"ok": False, "error": failure[1]})
                    else:
                        with fake._cond:
                            fake.uploads[file_id] = raw
                        self._send(200, {"ok": True})
                    return
                if parsed.path.startswith("/response/"):
                    method = "response_url"
                elif parsed.path.startswith("/api/"):
                    method = parsed.path[len("/api/"):]
                else:
                    self._send(404, {"ok": False, "error": "unknown_path"})
                    return
                try:
                    args = self._parse(raw, parsed.query)
                except (ValueError, UnicodeDecodeError):
                    fake._record(method, {"_raw": raw.decode(errors="replace")}, headers, parsed.path)
                    self._send(400, {"ok": False, "error": "invalid_body"})
                    return
                failure = fake._record(method, args, headers, parsed.path)
                with fake._cond:
                    held = fake._holds.get(method)
                    drop = fake._drops.get(method, 0) > 0
                    if drop:
                        fake._drops[method] -= 1
                if drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if held is not None:
                    held.wait(60)
                if failure:
                    self._send(failure[0], {"ok": False, "error": failure[1]})
                elif method == "response_url":
                    self._send(200, {"ok": True})
                else:
                    self._send(200, fake._answer(method, args if isinstance(args, dict) else {}))

            do_POST = _handle
            do_GET = _handle

        return Handler
