"""Pacing posts per channel: Slack allows about one `chat.postMessage` per second per channel.

`CONTRACTBOT_POST_INTERVAL` (seconds, default 1.0; 0 turns pacing off) is the least time between two
posts of one sweep to one channel. A 429 that slack_sdk's retry handler could not absorb pushes that
channel's next post back by its `Retry-After`. Posts are taken round-robin across channels, so one
busy channel does not hold up the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


class Pacer:
    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = max(0.0, interval)
        self._clock, self._sleep = clock, sleep
        self._ready: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        """Block until `channel` may be posted to."""
        delay = self._ready.get(channel, 0.0) - self._clock()
        if delay > 0:
            self._sleep(delay)

    def posted(self, channel: str) -> None:
        self._ready[channel] = max(self._ready.get(channel, 0.0), self._clock() + self.interval)

    def retry_after(self, channel: str, seconds: float) -> None:
        self._ready[channel] = max(self._ready.get(channel, 0.0), self._clock() + max(seconds, self.interval))


def round_robin(queues: Mapping[str, Sequence[T]]) -> Iterator[tuple[str, T]]:
    """(channel, item): the first item of each channel, then the second of each, and so on."""
    depth = max((len(q) for q in queues.values()), default=0)
    for index in range(depth):
        for channel, queue in queues.items():
            if index < len(queue):
                yield channel, queue[index]
