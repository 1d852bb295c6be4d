"""Nobody waits behind a slow command: while an export holds the heavy lane, `/contract status` is
answered at once and a second export waits its turn; `serve`'s heavy lane (a child process) gives the
same answer as the command run here."""

from __future__ import annotations

import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.settings import Settings
from handlers.dispatch import is_heavy, run_command
from handlers.lanes import LightLane, ProcessLane, lane_context
from handlers.reply import Reply
from handlers.runtime import Caller, Runtime

pytestmark = pytest.mark.slow  # seconds, not milliseconds: scheduled first (tests/conftest.py)

CALLER = Caller(user_id="U1", channel_id="C1", lang="en")


@pytest.fixture
def runtime(settings: Settings, session_factory: sessionmaker[Session]) -> Runtime:
    rt = Runtime(settings=settings, session_factory=session_factory, clock=SystemClock(), metrics=Metrics())
    reply = run_command(rt, CALLER, "/contract", 'add LANE-1 title:"Lanes" vendor:Acme end:2030-01-31')
    assert not reply.is_error, reply.message
    return rt


def test_exports_and_reports_are_heavy_and_the_rest_is_not() -> None:
    assert is_heavy("/contract", "export") and is_heavy("/contract", "EXPORT ") and is_heavy("/contract", "report")
    assert not is_heavy("/contract", "status LANE-1") and not is_heavy("/contract", "")
    assert not is_heavy("/renewals", "export") and not is_heavy("/contract", "status export")


def test_status_is_answered_while_an_export_holds_the_heavy_lane(runtime: Runtime) -> None:
    results: dict[str, Reply] = {}
    with runtime.heavy_slot:  # an export is running
        queued = threading.Thread(target=lambda: results.update(export=run_command(runtime, CALLER, "/contract",
                                                                                   "export")))
        queued.start()
        status = run_command(runtime, CALLER, "/contract", "status LANE-1")  # would block behind it if it queued
        assert status.message is not None and "LANE-1" in status.message.text
        assert queued.is_alive() and "export" not in results  # the second export waits its turn
    queued.join(timeout=60)
    assert results["export"].file is not None and "LANE-1" in results["export"].file[1]


def test_the_process_lane_answers_exports_like_this_process_each_in_a_child_of_its_own(
        runtime: Runtime, settings: Settings) -> None:
    """Each export in a child of its own, forked from the lanes' server (started in advance by `warm_up`),
    the settings pickled again for each (the cached business calendar holds lambdas); both answer exactly
    as this process does, while light work stays here."""
    settings.calendar  # noqa: B018  (cached on the settings, as in a serving process)
    local = run_command(runtime, CALLER, "/contract", "export")
    lane = ProcessLane(settings)
    try:
        lane.warm_up()
        runtime.heavy_lane = lane
        remote = [run_command(runtime, CALLER, "/contract", "export") for _ in range(2)]
        light = run_command(runtime, CALLER, "/contract", "status LANE-1")  # light work stays here
    finally:
        lane.shutdown()
    assert local.file is not None and local.message is not None and "LANE-1" in local.file[1]
    for reply in remote:
        assert reply.file is not None and reply.file[1] == local.file[1]
        assert reply.message is not None and reply.message.text == local.message.text
    assert light.message is not None and "LANE-1" in light.message.text
    text = runtime.metrics.exposition().decode()
    assert 'contractbot_commands_total{command="/contract",outcome="ok"} 5.0' in text  # add + 3 exports + status


def _whoami() -> tuple[int, int, bool]:
    """In a lane's child, before anything ran there: its pid, its parent's, and whether the report's chart
    library is already loaded (only a fork of the preloading server has it without importing it)."""
    return os.getpid(), os.getppid(), "matplotlib.figure" in sys.modules


def test_lane_children_are_forked_from_one_server_that_preloaded_the_bot() -> None:
    """A child per heavy command stays cheap: each is a fork of the same server, which imported the bot (and
    the chart library) once, not a new interpreter importing it again."""
    seen = []
    for _ in range(2):
        with ProcessPoolExecutor(max_workers=1, mp_context=lane_context()) as pool:
            seen.append(pool.submit(_whoami).result())
    (first, server, preloaded), (second, server_again, preloaded_again) = seen
    assert first != second and server == server_again  # two children, one parent
    assert server != os.getpid()  # the fork server, not this process (it has threads)
    assert preloaded and preloaded_again


# --- the light lane: light commands in a long-lived child, started once answers queue ---

LIGHT = [("/contract", "status LANE-1"), ("/contract", "status lanes"), ("/contract", "list vendor:Acme"),
         ("/renewals", "next 5000 days"), ("/contract", "status NOPE-404"), ("/contract", "list vendor:"),
         ("/renewals", "next banana")]


def _wait_ready(lane: LightLane, seconds: float = 120) -> None:
    assert lane._ready.wait(seconds), "the light lane's child did not start"


def test_the_light_lane_answers_like_this_process(runtime: Runtime, settings: Settings) -> None:
    local = [run_command(runtime, CALLER, name, text) for name, text in LIGHT]
    lane = LightLane(settings)
    try:
        lane.start()
        _wait_ready(lane)
        runtime.light_lane = lane
        remote = [run_command(runtime, CALLER, name, text) for name, text in LIGHT]
        added = run_command(runtime, CALLER, "/contract", 'add LANE-2 title:"Second" vendor:Acme end:2031-01-31')
        assert lane.answered == len(LIGHT) + 1
    finally:
        lane.shutdown()
    for (name, text), here, there in zip(LIGHT, local, remote, strict=True):
        assert there.message is not None and here.message is not None, (name, text)
        assert there.message.to_dict() == here.message.to_dict(), (name, text)
        assert (there.is_error, there.public) == (here.is_error, here.public), (name, text)
    assert not added.is_error
    card = run_command(runtime, CALLER, "/contract", "status LANE-2")  # the child's write is in the database
    assert card.message is not None and "Second" in card.message.text and not card.is_error


def test_an_answer_that_waits_for_another_starts_the_lane_and_none_waits_for_it(
        runtime: Runtime, settings: Settings) -> None:
    lane = LightLane(settings)
    runtime.light_lane = lane
    try:
        first = run_command(runtime, CALLER, "/contract", "status LANE-1")  # alone: here, no child
        assert not lane.ready and lane.pid is None and not first.is_error
        assert lane.run(CALLER, "/contract", "status LANE-1") is None  # no child: nothing ran there
        results: list[Reply] = []
        with runtime.work_slot:  # another answer is being computed
            waiting = threading.Thread(target=lambda: results.append(
                run_command(runtime, CALLER, "/contract", "status LANE-1")))
            waiting.start()
            _wait_ready(lane)  # the waiting answer asked for the child
            assert waiting.is_alive()  # and still waits for the slot here, not for the child
        waiting.join(60)
        assert results and results[0].message is not None and "LANE-1" in results[0].message.text
        assert lane.answered == 0  # that one ran here; from now on the child answers
        after = run_command(runtime, CALLER, "/contract", "status LANE-1")
        assert lane.answered == 1 and after.message is not None and after.message.to_dict() == first.message.to_dict()
    finally:
        lane.shutdown()


def test_a_dead_light_child_fails_one_answer_and_the_next_ones_run_here(runtime: Runtime,
                                                                        settings: Settings) -> None:
    lane = LightLane(settings)
    try:
        lane.start()
        _wait_ready(lane)
        runtime.light_lane = lane
        assert lane.pid is not None
        os.kill(lane.pid, signal.SIGKILL)
        died = run_command(runtime, CALLER, "/contract", "status LANE-1")
        assert died.is_error and not lane.ready
        again = run_command(runtime, CALLER, "/contract", "status LANE-1")  # here, in this process
        assert not again.is_error and again.message is not None and "LANE-1" in again.message.text
    finally:
        lane.shutdown()
