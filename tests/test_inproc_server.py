"""Self-tests of tests/support/inproc_server.py: the in-process server is the product — the same signed
requests get the same answers from it as from a real `contractbot serve` process — and it gives back
what it took (threads, sockets, connections, the root logger) when it stops, so that the next module's
server, heavy lane included, starts afresh."""

from __future__ import annotations

import gc
import logging
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SECRET
from tests.support.fake_slack import FakeSlack
from tests.support.inproc_server import ServeHere
from tests.support.server import Serve, contractbot_env
from tests.support.signed import post_command


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode()


def _ask(server: Any, fake: FakeSlack, text: str, tag: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """A signed `/contract TEXT`; the HTTP status and the answer posted to its response_url."""
    status, _ = post_command(server.events_url, kwargs.pop("secret", SECRET), "/contract", text, user_id="U1",
                             channel_id="C1", response_url=fake.response_url(tag), trigger_id="T.1", **kwargs)
    if status != 200:
        return status, {}
    calls = fake.wait_for("response_url", predicate=lambda c: c["path"] == f"/response/{tag}", timeout=60)
    answer = dict(calls[-1]["args"])
    return status, answer


def _open_files() -> set[str]:
    """This process's open sockets and files (Linux: /proc/self/fd); not pipes (the lanes' fork server,
    started once per process by the first heavy command, keeps one)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if not target.startswith(("pipe:", "anon_inode:", "/dev/")):
            found.add(target)
    return found


def test_the_same_requests_get_the_same_answers_here_and_from_a_real_process(tmp_path: Path,
                                                                               migrated_sqlite: Path) -> None:
    answers: dict[str, list[Any]] = {}
    for kind, make in (("process", Serve), ("here", ServeHere)):
        db = tmp_path / f"{kind}.db"
        db.write_bytes(migrated_sqlite.read_bytes())
        with FakeSlack() as fake:
            server = make(contractbot_env(f"sqlite:///{db}", fake.url, CONTRACTBOT_MANAGERS="U1"))
            try:
                got: list[Any] = [_get(server.base + "/healthz")]
                got.append(_ask(server, fake, 'add SAME-1 title:"Same" vendor:Acme end:2030-01-31', f"{kind}-add"))
                got.append(_ask(server, fake, "status SAME-1", f"{kind}-status"))
                got.append(_ask(server, fake, "status NOPE-9", f"{kind}-unknown"))
                got.append(_ask(server, fake, "status SAME-1", f"{kind}-forged", secret="not-the-secret"))
                export_status, export = _ask(server, fake, "export", f"{kind}-export")  # the heavy lane's child
                got.append((export_status, export.get("response_type"), export.get("text")))
                got.append(_get(server.base + "/nowhere"))
            finally:
                server.stop()
        answers[kind] = got
    for here, there in zip(answers["here"], answers["process"], strict=True):
        assert here == there
    assert answers["here"][0] == (200, '{"status": "ok", "database": "ok"}')
    assert "SAME-1" in answers["here"][2][1]["text"] and answers["here"][4] == (401, {})
    assert "as CSV (1 contracts)" in answers["here"][5][2]  # computed in the heavy lane's child


def test_stopping_gives_back_threads_sockets_connections_and_the_root_logger(db_url: str) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    threads = set(threading.enumerate())
    files = _open_files() if os.path.isdir("/proc/self/fd") else None
    for round_ in range(2):  # a second server after the first: the heavy lane starts again
        with FakeSlack() as fake:
            server = ServeHere(contractbot_env(db_url, fake.url, CONTRACTBOT_LOG_LEVEL="INFO"))
            try:
                status, answer = _ask(server, fake, "export", f"export-{round_}")
                assert status == 200 and "as CSV (0 contracts)" in answer["text"], answer  # the heavy lane's child
                assert fake.wait_for("files.completeUploadExternal")
            finally:
                server.stop()
        assert "contractbot listening on" in server.output() and "contractbot stopped" in server.output()
        assert (root.handlers, root.level) == (handlers, level)
        with pytest.raises(OSError):  # nothing listens on its port any more
            urllib.request.urlopen(server.base + "/healthz", timeout=2)
    left = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not left, left
    if files is not None:  # nothing kept open: the server's sockets, the database's files and connections, the
        assert _open_files() <= files, _open_files() - files  # answers' kept-alive connections
    gc.collect()  # an open connection or socket found by the collector warns (an error in this suite)
