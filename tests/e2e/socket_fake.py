"""A fake Slack Socket Mode endpoint on loopback: the network boundary only, standard library only.

Slack's side of Socket Mode, as slack_sdk's built-in client (the one Bolt's SocketModeHandler uses) talks to it:
``apps.connections.open`` (Web API, app-level token) answers a single-use ``ws://…/link/?ticket=…`` URL; the app
opens a WebSocket there (RFC 6455 handshake, masked client frames, a ping right after the 101); the server says
``{"type": "hello"}``, pongs every ping, sends envelopes, and the app acks each with ``{"envelope_id": …}``.

    with SocketModeServer() as link_server, SocketFakeSlack(link_server) as fake:
        ...start the app with SLACK_API_URL=fake.url...
        link = link_server.wait_for_link()
        link.send({"envelope_id": "e1", "type": "slash_commands", "payload": {...}})
        link_server.wait_for_ack("e1")
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.support.fake_slack import FakeSlack

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _is_key(key: str) -> bool:
    """A Sec-WebSocket-Key is 16 random bytes, base64-encoded (RFC 6455 §4.1)."""
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


class Link:
    """One accepted WebSocket connection (server side)."""

    def __init__(self, sock: socket.socket, path: str) -> None:
        self.sock, self.path = sock, path
        self.pings: list[bytes] = []   # payloads of the app's pings (each answered with a pong)
        self.closed = threading.Event()
        self._send_lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        """A text frame (server frames are never masked)."""
        self._frame(TEXT, json.dumps(message).encode())

    def _frame(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        head = struct.pack("!BB", 0x80 | opcode, n) if n < 126 else (
            struct.pack("!BBH", 0x80 | opcode, 126, n) if n < 65536 else struct.pack("!BBQ", 0x80 | opcode, 127, n))
        with self._send_lock:
            self.sock.sendall(head + payload)


class SocketModeServer:
    """Threaded WebSocket server on 127.0.0.1 (random port) speaking Slack's Socket Mode envelopes."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.received: list[dict[str, Any]] = []   # every JSON text message from the app (acks), oldest first
        self.errors: list[str] = []                # protocol violations by the client; a test asserts none
        self._tickets: set[str] = set()
        self._socks: list[socket.socket] = []       # every accepted connection, to cut on close()
        self._seq = itertools.count(1)
        self._cond = threading.Condition()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = False  # server_close() joins the connection threads
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                                        name="fake-socket-mode")
        self._thread.start()

    # ---- public helpers -------------------------------------------------------------------------
    def issue_url(self) -> str:
        """A fresh single-use WebSocket URL, like the one apps.connections.open returns."""
        ticket = f"tk{next(self._seq)}"
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id=A1"

    def wait_for_link(self, count: int = 1, timeout: float = 30.0,
                      alive: Callable[[], bool] = lambda: True) -> Link:
        """The ``count``-th connection, once its handshake is done and hello sent."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.links) < count:
                if time.monotonic() > deadline or not alive():
                    raise AssertionError(f"no Socket Mode connection #{count} after {timeout}s; "
                                         f"links={[link.path for link in self.links]} errors={self.errors}")
                self._cond.wait(0.1)
            return self.links[count - 1]

    def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.received if m.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s; "
                                         f"received={self.received} errors={self.errors}")
                self._cond.wait(remaining)

    def close(self) -> None:
        """Stop accepting, cut every connection still open, join the connection threads, release the port."""
        self._server.shutdown()
        self._thread.join()
        with self._cond:
            for sock in self._socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed
        self._server.server_close()

    def __enter__(self) -> SocketModeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the protocol -----------------------------------------------------------------------------
    def _error(self, text: str) -> None:
        with self._cond:
            self.errors.append(text)

    def _handshake(self, handler: socketserver.StreamRequestHandler) -> Link | None:
        request_line = handler.rfile.readline(8192).decode("latin-1").strip()
        headers: dict[str, str] = {}
        while (line := handler.rfile.readline(8192).decode("latin-1").strip()):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, path, _version = (request_line.split(" ") + ["", "", ""])[:3]
        ticket = path.partition("ticket=")[2].partition("&")[0]
        key = headers.get("sec-websocket-key", "")
        with self._cond:
            ticket_ok = ticket in self._tickets
            self._tickets.discard(ticket)
        problem = ("not a GET" if method != "GET" else
                   "bad Upgrade/Connection" if headers.get("upgrade", "").lower() != "websocket"
                   or "upgrade" not in headers.get("connection", "").lower() else
                   "bad Sec-WebSocket-Version" if headers.get("sec-websocket-version") != "13" else
                   "bad Sec-WebSocket-Key" if not _is_key(key) else
                   f"unknown or reused ticket in {path!r}" if not ticket_ok else None)
        if problem:
            self._error(f"handshake refused: {problem}")
            handler.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        handler.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        link = Link(handler.connection, path)
        link.send({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
                   "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060}})
        with self._cond:
            self.links.append(link)
            self._cond.notify_all()
        return link

    def _read_frame(self, rfile: Any) -> tuple[int, bytes] | None:
        head = rfile.read(2)
        if len(head) < 2:
            return None
        fin, opcode, masked, n = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
        if n >= 126:
            n = struct.unpack("!H" if n == 126 else "!Q", rfile.read(2 if n == 126 else 8))[0]
        mask = rfile.read(4) if masked else b""
        data = rfile.read(n)
        if len(data) < n:
            return None
        if not masked:
            self._error(f"unmasked client frame (opcode {opcode})")  # RFC 6455 §5.1
        if not fin:
            self._error(f"fragmented client frame (opcode {opcode})")
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data)) if masked else data

    def _serve_link(self, link: Link, rfile: Any) -> None:
        while (frame := self._read_frame(rfile)) is not None:
            opcode, data = frame
            if opcode == PING:
                with self._cond:
                    link.pings.append(data)
                    self._cond.notify_all()
                link._frame(PONG, data)
            elif opcode == TEXT:
                try:
                    message = json.loads(data)
                except ValueError:
                    self._error(f"text frame is not JSON: {data[:200]!r}")
                    continue
                with self._cond:
                    self.received.append(message)
                    self._cond.notify_all()
            elif opcode == CLOSE:
                link._frame(CLOSE, data[:2])
                return
            elif opcode != PONG:
                self._error(f"unexpected opcode {opcode}")

    def _handler_class(self) -> type[socketserver.StreamRequestHandler]:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with fake._cond:
                    fake._socks.append(self.connection)
                link = None
                try:
                    link = fake._handshake(self)
                    if link is not None:
                        fake._serve_link(link, self.rfile)
                except OSError:
                    pass  # the app went away (terminated, or dropped this link when reconnecting)
                finally:
                    if link is not None:
                        link.closed.set()

        return Handler


class SocketFakeSlack(FakeSlack):
    """FakeSlack whose ``apps.connections.open`` hands out URLs of ``link_server``."""

    def __init__(self, link_server: SocketModeServer) -> None:
        self.link_server = link_server
        super().__init__()

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": self.link_server.issue_url()}
        return super()._answer(method, args)
