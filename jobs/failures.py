"""One bad row never stops a sweep: what failed is logged with its reference, counted in /metrics
(`contractbot_sweep_failures_total{job=…}`) and named in the job's output; the rest still goes out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.metrics import Metrics

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Failure:
    subject: str  # a contract reference, an incident number
    step: str  # what was being done: roll, plan, post…
    error: str


@dataclass(slots=True)
class Failures:
    job: str
    metrics: Metrics | None = None
    items: list[Failure] = field(default_factory=list)

    def record(self, subject: str, step: str, exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {exc}"[:300]
        # No traceback at ERROR (operators read this line; `jobs run` never shows a stack trace); DEBUG has it.
        logger.error("%s sweep: %s failed at %s (%s); the other alerts still go out", self.job, subject, step, error)
        logger.debug("%s sweep: %s failed at %s", self.job, subject, step, exc_info=exc)
        if self.metrics is not None:
            self.metrics.sweep_failures.labels(self.job).inc()
        self.items.append(Failure(subject, step, error))

    def lines(self) -> list[str]:
        return [f"{f.subject}: FAILED ({self.job}, {f.step}): {f.error}" for f in self.items]
