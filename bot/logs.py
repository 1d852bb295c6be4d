"""Logging is configured here, in the entry point only.

Every record, ours or a library's (slack_bolt and slack_sdk log request bodies, webhook URLs and
headers at DEBUG), goes through one filter on the handler before it is written:
- tokens (`xoxb-…`, `xapp-…`) and signatures are masked;
- response_urls (capability URLs: whoever holds one may post as the bot) are masked, whether they
  appear as a URL on Slack's hooks host, as a `response_url` field of a JSON, form-encoded or repr'd
  body, or anywhere in a line of slack_sdk's webhook client or of slack_bolt (every URL there is one);
- newlines and other control characters are escaped, so a logged value cannot forge a log line;
- a message is bounded (`MAX_MESSAGE` characters), so a huge body cannot make a huge line.

`CONTRACTBOT_LOG_FORMAT=json` writes one JSON object per line, with the correlation id when the
record carries one (`extra={"correlation_id": …}`).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime

MAX_MESSAGE = 2000
_TOKEN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
_SIGNATURE = re.compile(r"\bv0=[0-9a-fA-F]{16,}")
_HOOK_URL = re.compile(r"https?(?::|%3A)(?:/|%2F){2}hooks\.slack(?:-gov)?\.com[^\s'\",&)}\]]*", re.IGNORECASE)
# A response_url field in JSON ("response_url": "…"), a dict repr ('response_url': '…'), a form body
# (response_url=…) or a log line (response_url: …); also the webhook client's "url: …".
_URL_FIELD = re.compile(
    r"""(?P<key>response_urls?|(?<=Sending a request - )url)(?P<sep>['"]?\s*[:=]\s*\[?\s*['"]?|%22%3A\+?%22|=)"""
    r"""(?P<value>[^\s'",&)}\]]+)""", re.IGNORECASE)
_ANY_URL = re.compile(r"https?://[^\s'\",)}\]]+", re.IGNORECASE)
# Every URL these loggers print is a response_url (the webhook client posts only to those).
_URL_ONLY_LOGGERS = ("slack_sdk.webhook", "slack_bolt")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def scrub(text: str, *, limit: int = MAX_MESSAGE) -> str:
    """A message safe to write on one log line: secrets masked, control characters escaped, bounded."""
    text = _TOKEN.sub(r"\1-***", text)
    text = _SIGNATURE.sub("v0=***", text)
    text = _HOOK_URL.sub("<response_url>", text)
    text = _URL_FIELD.sub(lambda m: f"{m.group('key')}{m.group('sep')}<redacted>", text)
    text = _CONTROL.sub(_escape_control, text)
    if len(text) > limit:
        text = f"{text[:limit]}… [{len(text) - limit} more characters cut]"
    return text


class ScrubRecords(logging.Filter):
    """Render each record's message once and replace it by its scrubbed form (tokens, response_urls,
    newlines, size). On the handler, so it sees every library's records too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: keep the template, drop the args
            message = f"{record.msg!s} (unformattable arguments)"
        if record.name.startswith(_URL_ONLY_LOGGERS):
            message = _ANY_URL.sub("<url>", message)
        record.msg, record.args = scrub(message), ()
        return True


RedactTokens = ScrubRecords  # the former name


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        correlation = getattr(record, "correlation_id", None)
        return f"{line} [correlation_id={scrub(str(correlation), limit=64)}]" if correlation else line

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return scrub(super().formatException(ei), limit=20_000).replace("\\n", "\n  ")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlation_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation = getattr(record, "correlation_id", None)
        if correlation:
            entry["correlation_id"] = scrub(str(correlation), limit=64)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info), limit=20_000)
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_handler(stream=None, *, log_format: str | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    fmt = (log_format or os.environ.get("CONTRACTBOT_LOG_FORMAT", "text")).strip().lower()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ScrubRecords())
    return handler


#: Libraries whose INFO and DEBUG lines say nothing an operator needs (kept at WARNING).
NOISY_LOGGERS = ("apscheduler.executors.default", "urllib3", "waitress.queue", "alembic")


def configure_logging() -> None:
    level = os.environ.get("CONTRACTBOT_LOG_LEVEL", "INFO").upper()
    root = logging.getLogger()
    root.handlers[:] = [make_handler()]
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
