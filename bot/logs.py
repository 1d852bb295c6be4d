"""Logging is configured here, in the entry point only; tokens never reach a log line."""

from __future__ import annotations

import logging
import os
import re

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a Slack token in a log record by a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub(r"\1-***", message)
            record.args = ()
        return True


def configure_logging() -> None:
    level = os.environ.get("CONTRACTBOT_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler.executors.default", "urllib3", "waitress.queue", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
