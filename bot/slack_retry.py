"""Retrying Slack calls that failed for a reason that passes: 429 (after its Retry-After), 5xx and
connection errors, with slack_sdk's own retry handlers (`slack_sdk.http_retry`) and a backoff.

Used by every Web API client (alerts, views, replies) and for answers at a `response_url`. A request
Slack refused with 4xx (other than 429) is not retried. Imports nothing of ours.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

RETRIES = 2  # after the first try: 3 attempts in all
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5)  # 0.5 s, 1 s (+ jitter)
TIMEOUT = 10


def retry_handlers() -> list[RetryHandler]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=BACKOFF),
        RateLimitErrorRetryHandler(max_retry_count=RETRIES),  # waits the Retry-After Slack sends
        ServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=BACKOFF),
    ]


def web_client(token: str | None, base_url: str) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=TIMEOUT, retry_handlers=retry_handlers())


def webhook(url: str) -> WebhookClient:
    """For answers at a response_url."""
    return WebhookClient(url=url, timeout=TIMEOUT, retry_handlers=retry_handlers())
