"""Log lines: no token, no response_url, no forged line, bounded, and JSON when asked — for our
records and for what slack_bolt / slack_sdk log at DEBUG, through the real handler and formatter."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_sdk.webhook import WebhookClient

from bot.logs import MAX_MESSAGE, make_handler, scrub

RESPONSE_URL = "https://hooks.slack.com/commands/T0001/123456/s3cr3tCapability"
LOOPBACK_RESPONSE_URL = "http://127.0.0.1:9/response/r1-CAPABILITY"


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[io.StringIO, str]]:
    """The root logger at DEBUG writing through the product's handler into a buffer."""
    stream = io.StringIO()
    handler = make_handler(stream, log_format=request.param)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
    try:
        yield stream, request.param
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_a_newline_in_a_logged_value_cannot_forge_a_line(captured: tuple[io.StringIO, str]) -> None:
    stream, fmt = captured
    logging.getLogger("handlers.test").warning("unknown reference %s",
                                               "X\n2026-12-01 00:00:00,000 ERROR forged: admin logged in\r\x1b[2J")
    [line] = lines(stream)
    assert "\\n2026-12-01" in line and "\x1b" not in line and "\r" not in line
    if fmt == "json":
        assert json.loads(line)["message"].startswith("unknown reference X\\n")


def test_tokens_signatures_and_response_urls_are_masked(captured: tuple[io.StringIO, str]) -> None:
    stream, _ = captured
    log = logging.getLogger("handlers.test")
    log.info("token xoxb-1234-5678-abcdef and app token xapp-1-A1-2-zz, signature v0=%s", "ab" * 32)
    log.info("payload %s", {"response_url": LOOPBACK_RESPONSE_URL, "user": "U1"})
    log.info("form token=x&response_url=%s&trigger_id=T", "http%3A%2F%2F127.0.0.1%3A9%2Fresponse%2Fr1")
    log.info("see %s", RESPONSE_URL)
    out = stream.getvalue()
    for secret in ("xoxb-1234", "xapp-1-A1", "ab" * 32, "CAPABILITY", "s3cr3tCapability", "%2Fresponse%2Fr1"):
        assert secret not in out, out
    assert "U1" in out  # the rest of the line stays readable


def test_a_huge_value_makes_a_bounded_line(captured: tuple[io.StringIO, str]) -> None:
    stream, _ = captured
    logging.getLogger("bot.test").warning("body %s", "A" * 10_000_000)
    [line] = lines(stream)
    assert len(line) < MAX_MESSAGE + 500
    assert "more characters cut" in line


def test_json_lines_carry_the_correlation_id_and_the_exception(captured: tuple[io.StringIO, str]) -> None:
    stream, fmt = captured
    try:
        raise RuntimeError("boom with xoxb-9999-secret")
    except RuntimeError:
        logging.getLogger("handlers.dispatch").exception("command failed [%s]", "c0ffee12",
                                                         extra={"correlation_id": "c0ffee12"})
    out = stream.getvalue()
    assert "xoxb-9999" not in out and "c0ffee12" in out
    if fmt == "json":
        [line] = lines(stream)
        entry = json.loads(line)
        assert entry["correlation_id"] == "c0ffee12"
        assert entry["level"] == "ERROR" and entry["logger"] == "handlers.dispatch"
        assert "RuntimeError" in entry["exception"]


def test_slack_sdk_webhook_debug_lines_do_not_show_the_response_url(captured: tuple[io.StringIO, str]) -> None:
    stream, _ = captured
    client = WebhookClient(url="http://127.0.0.1:9/response/r7-CAPABILITY", timeout=1)
    with pytest.raises(OSError):  # nothing listens on port 9: the request line is still logged first
        client.send(text="hello")
    out = stream.getvalue()
    assert "Sending a request" in out
    assert "CAPABILITY" not in out, out


def test_bolt_debug_line_of_a_refused_request_does_not_show_the_response_url(
        captured: tuple[io.StringIO, str]) -> None:
    stream, _ = captured
    body = f"command=%2Fcontract&text=status&token=xoxb-123-leak&response_url={RESPONSE_URL}"
    verification = RequestVerification(signing_secret="secret", base_logger=logging.getLogger("slack_bolt"))
    request = BoltRequest(body=body, headers={"x-slack-signature": "v0=bad", "x-slack-request-timestamp": "1"})
    verification._debug_log_error("v0=bad", "1", request.raw_body)
    out = stream.getvalue()
    assert "Invalid request signature" in out
    assert "s3cr3tCapability" not in out and "xoxb-123-leak" not in out, out


@pytest.mark.parametrize("text", [
    f"response_url: {LOOPBACK_RESPONSE_URL}",
    json.dumps({"response_urls": [{"response_url": LOOPBACK_RESPONSE_URL}]}),
    f"Sending a request - url: {LOOPBACK_RESPONSE_URL}, body: {{}}",
])
def test_scrub_masks_every_shape_of_response_url(text: str) -> None:
    assert "CAPABILITY" not in scrub(text)
