"""gunicorn.conf.py: settings from the environment, and the real server starting with it in
production mode, answering /healthz and /readyz and writing JSON log lines."""
from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from config import BASE_DIR
from tests.conftest import _wait_for_port, free_port

CONF = BASE_DIR / "gunicorn.conf.py"
GUNICORN_ENV = ("PORT", "HOST", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS")


@pytest.fixture
def load_conf(monkeypatch):
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)

    def load(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONF))

    return load


def test_defaults_suit_a_small_server_behind_a_local_proxy(load_conf):
    conf = load_conf()

    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] == 2
    assert conf["accesslog"] == "-"  # stdout
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 30
    assert conf["forwarded_allow_ips"] == "127.0.0.1"
    # Recycled rarely: a worker's start costs seconds of CPU.
    assert conf["max_requests"] == 20_000 and conf["max_requests_jitter"] == 2_000
    assert "request_id=%({x-request-id}o)s" in conf["access_log_format"]


def test_port_workers_timeout_and_proxy_come_from_the_environment(load_conf):
    conf = load_conf(PORT="9123", WEB_CONCURRENCY="5", GUNICORN_TIMEOUT="60", FORWARDED_ALLOW_IPS="10.0.0.2")

    assert conf["bind"] == "0.0.0.0:9123"
    assert conf["workers"] == 5
    assert conf["timeout"] == 60
    assert conf["forwarded_allow_ips"] == "10.0.0.2"


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_gunicorn_serves_the_app_in_production_mode(database_uri, tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in GUNICORN_ENV}
    env.update(MARKETPLACE_CONFIG="production", SECRET_KEY="gunicorn-test-key", DATABASE_URL=database_uri,
               MEDIA_ROOT=str(tmp_path / "media"), INSTANCE_PATH=str(tmp_path / "instance"),
               PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1", REDIS_URL="")
    stdout_path = tmp_path / "stdout.log"
    with open(stdout_path, "w") as stdout:
        server = subprocess.Popen([str(gunicorn), "-c", str(CONF), "wsgi:app"], cwd=BASE_DIR, env=env,
                                  stdout=stdout, stderr=subprocess.DEVNULL)
        try:
            _wait_for_port(port, timeout=30)
            health = _get(f"http://127.0.0.1:{port}/healthz", {"X-Request-ID": "gunicorn-test-0001"})
            ready = _get(f"http://127.0.0.1:{port}/readyz")
        finally:
            server.terminate()
            server.wait(timeout=30)

    assert health[0] == 200 and health[2] == {"status": "ok"}
    assert health[1]["X-Request-ID"] == "gunicorn-test-0001"
    assert "Strict-Transport-Security" in health[1]
    assert ready[0] == 200, ready
    lines = stdout_path.read_text().splitlines()
    app_lines = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(line.get("path") == "/healthz" and line.get("request_id") == "gunicorn-test-0001"
               and line.get("status") == 200 for line in app_lines)
    assert any("GET /readyz" in line and "request_id=" in line for line in lines)  # gunicorn's access log
