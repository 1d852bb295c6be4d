"""`serve`'s light lane end to end: commands that queue start a child process, which then answers
(the same answers), writes to the same database, and finishes its in-flight answer on SIGTERM."""

from __future__ import annotations

import signal
import threading
import time
import urllib.error
import urllib.request

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import SECRET
from tests.support.fake_slack import FakeSlack
from tests.support.server import Serve, contractbot_env
from tests.support.signed import post_command

READY = "light lane ready"


def ask(serve: Serve, fake: FakeSlack, text: str, tag: str, user: str = "U1") -> None:
    status, body = post_command(serve.events_url, SECRET, "/contract", text, response_url=fake.response_url(tag),
                                user_id=user)
    assert status == 200, body


def hold_contract_writes(url: str) -> Connection:
    """A transaction that keeps anyone else from writing contracts until it ends (SQLite: the whole
    database; PostgreSQL: the contracts table only, so the edge's replay ledger still writes)."""
    connection = create_engine(url, poolclass=NullPool).connect()
    if url.startswith("sqlite"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.begin()
        connection.execute(text("LOCK TABLE contracts IN SHARE ROW EXCLUSIVE MODE"))
    return connection


def health(serve: Serve) -> int:
    try:
        with urllib.request.urlopen(serve.base + "/healthz", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        with err:
            return err.code


def answer(fake: FakeSlack, tag: str) -> dict:
    return fake.wait_for("response_url", timeout=60, predicate=lambda c: c["path"] == f"/response/{tag}")[-1]["args"]


def test_queued_answers_start_the_lane_which_answers_alike_and_finishes_its_answer_on_sigterm(
        db_url: str, fake_slack: FakeSlack) -> None:
    url = db_url  # a fresh database at head, on each backend
    serve = Serve(contractbot_env(url, fake_slack.url, CONTRACTBOT_LOG_LEVEL="INFO"))
    try:
        ask(serve, fake_slack, 'add LL-1 title:"Light lane" vendor:Acme end:2030-01-31', "add")
        assert "LL-1" in answer(fake_slack, "add")["text"]
        ask(serve, fake_slack, "status LL-1", "before")
        before = answer(fake_slack, "before")
        assert READY not in serve.output()  # one at a time: no child

        threads = [threading.Thread(target=ask, args=(serve, fake_slack, "status LL-1", f"q{i}", f"U{i}"))
                   for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for i in range(8):
            assert answer(fake_slack, f"q{i}") == before
        deadline = time.monotonic() + 60
        while READY not in serve.output():
            assert time.monotonic() < deadline, serve.output()[-3000:]
            time.sleep(0.1)

        ask(serve, fake_slack, "status LL-1", "after")  # from the child now
        assert answer(fake_slack, "after") == before

        slow = fake_slack.hold("users.info")  # a new person: the answer waits on Slack, after the ack
        ask(serve, fake_slack, 'add LL-2 title:"Written by the child" vendor:Acme end:2031-01-31', "write", "UNEW")
        fake_slack.wait_for("users.info", predicate=lambda c: c["args"].get("user") == "UNEW")
        lock = hold_contract_writes(url)  # then the child's write waits for this lock
        try:
            serve.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 30
            while health(serve) != 503:  # draining
                assert time.monotonic() < deadline
                time.sleep(0.05)
            slow.set()  # the command goes to the child, which waits for the database
            time.sleep(0.5)
            assert serve.process.poll() is None
            assert not fake_slack.calls("response_url")[-1]["path"].endswith("write")
        finally:
            lock.rollback()
            lock.close()
        assert serve.process.wait(timeout=60) == 0
        written = answer(fake_slack, "write")
        assert "LL-2" in written["text"] and written.get("response_type") == "in_channel"
        engine = create_engine(url)
        with engine.connect() as check:
            assert check.execute(text("SELECT title FROM contracts WHERE reference = 'LL-2'")).one() == (
                "Written by the child",)
        engine.dispose()
        assert "Traceback" not in serve.output()
    finally:
        serve.stop()
