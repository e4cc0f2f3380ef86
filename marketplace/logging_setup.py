"""Structured logs: JSON lines on stdout, a request id per request, one access line per response.

The request id comes from the proxy's X-Request-ID when it looks sane, otherwise a new one is
made; it is echoed in the response's X-Request-ID and added to every log line of the request.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

LOGGER_NAME = "marketplace"
ACCESS_LOGGER_NAME = "marketplace.access"
REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators: enough for UUIDs and the ids proxies make, nothing
# that could forge a log line or a header.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@-]{8,128}$")
# Attributes every LogRecord has; anything else on a record was passed with `extra=`.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def valid_request_id(value: str | None) -> bool:
    """True when a proxy's X-Request-ID can be trusted into our logs and headers."""
    return bool(value) and bool(_VALID_REQUEST_ID.match(value))


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    if has_request_context():
        return g.get("request_id")
    return None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record logged while a request is being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (so captured output in tests works too).

    Its class also marks the handler we installed: a second create_app replaces it.
    """

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def _install_handler(level: str, fmt: str) -> None:
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, StdoutHandler):
            logger.removeHandler(handler)
    handler = StdoutHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER)
    g.request_id = incoming if valid_request_id(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_response(response):
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    logging.getLogger(ACCESS_LOGGER_NAME).info(
        "%s %s %s", request.method, request.path, response.status_code,
        extra={"request_id": request_id, "method": request.method, "path": request.path,
               "status": response.status_code, "duration_ms": duration_ms,
               "remote_addr": request.remote_addr},
    )
    return response


def init_logging(app: Flask) -> None:
    """Send the app's logs to stdout (JSON lines unless LOG_FORMAT=text) and log each request."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    _install_handler(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "json"))
    # First in line, so even a request another hook rejects (rate limit, CSRF) has an id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_log_response)
