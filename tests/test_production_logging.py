"""Structured logs: a JSON line per request with its request id, method, path, status and
duration; the request id comes from the proxy when valid and is echoed in the response."""
from __future__ import annotations

import json
import logging
import re

import pytest
from flask import g

from marketplace.logging_setup import JsonFormatter, valid_request_id

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def log_lines(caplog, capsys):
    """The JSON lines the app writes to stdout, with request logging switched on (INFO)."""
    caplog.set_level(logging.INFO, logger="marketplace")
    capsys.readouterr()

    def read() -> list[dict]:
        return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]

    return read


def test_a_request_id_from_the_proxy_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "req-4b1d2c3e-aa"})

    assert response.headers["X-Request-ID"] == "req-4b1d2c3e-aa"


@pytest.mark.parametrize("incoming", [None, "", "short", "has spaces in it", "x" * 129, "quote\"and<angle>",
                                      "bad\u00e9chars123"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = client.get("/healthz", headers=headers)

    assert GENERATED_ID.match(response.headers["X-Request-ID"])
    assert not valid_request_id(incoming)


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert first != second


def test_error_responses_carry_a_request_id_too(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert GENERATED_ID.match(response.headers["X-Request-ID"])


def test_each_request_writes_one_json_access_line(client, log_lines):
    response = client.get("/no-such-page?q=1", headers={"X-Request-ID": "abcdef12-3456"})

    access = [line for line in log_lines() if line["logger"] == "marketplace.access"]

    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "abcdef12-3456" == response.headers["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/no-such-page", 404)
    assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_the_access_line_has_the_final_status_of_a_rate_limited_request(app, client, log_lines):
    from marketplace.extensions import limiter

    saved = app.config["RATELIMIT_LOGIN"]
    app.config["RATELIMIT_LOGIN"] = "1 per minute"
    limiter.reset()
    try:
        client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})
        client.post("/akun/masuk", data={"email": "x@example.id", "password": "salah"})
    finally:
        app.config["RATELIMIT_LOGIN"] = saved
        limiter.reset()

    statuses = [line["status"] for line in log_lines() if line["logger"] == "marketplace.access"]
    assert statuses == [400, 429]


def test_app_log_lines_during_a_request_carry_its_id(app, log_lines):
    with app.test_request_context("/"):
        g.request_id = "feedface-0001"
        app.logger.warning("stock went negative for product %s", 12)

    lines = log_lines()
    assert lines[-1]["request_id"] == "feedface-0001"
    assert lines[-1]["message"] == "stock went negative for product 12"
    assert lines[-1]["level"] == "WARNING"


def test_the_formatter_keeps_extras_and_exceptions_as_json():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("marketplace", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info())
    record.order_number = "PLB-0001"

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "failed: x"
    assert entry["order_number"] == "PLB-0001"
    assert "ValueError: boom" in entry["exception"]

