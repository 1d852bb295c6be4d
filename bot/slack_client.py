"""The Slack Web API client every part posts with: retries (bot.slack_retry) and failed calls counted.

Below the app factory so that jobs run from the command line get it without loading Bolt.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import slack_retry
from bot.metrics import Metrics
from bot.settings import Settings

__all__ = ["MeteredWebClient", "web_client"]


class MeteredWebClient(WebClient):
    """A WebClient that counts failed calls in `contractbot_slack_api_errors_total{method,status,error}`."""

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            if self.metrics is not None:
                status = getattr(exc.response, "status_code", None)
                error = str(exc.response.get("error") or "")[:64] if isinstance(exc.response.data, dict) else ""
                self.metrics.slack_api_errors.labels(api_method, str(status or "unknown"), error).inc()
            raise
        except OSError:
            if self.metrics is not None:
                self.metrics.slack_api_errors.labels(api_method, "network", "").inc()
            raise


def web_client(settings: Settings, metrics: Metrics | None = None) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    # 429 (after its Retry-After), 5xx and connection errors retried (bot.slack_retry); failures counted
    return MeteredWebClient(token=token, base_url=settings.slack_api_url, timeout=slack_retry.TIMEOUT,
                            retry_handlers=slack_retry.retry_handlers(), metrics=metrics)
