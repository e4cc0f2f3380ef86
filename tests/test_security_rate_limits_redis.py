"""Rate-limit counters in Redis are shared by every app process: two worker processes, each a
production app given REDIS_URL (as two gunicorn workers would be), use up one limit together.

Runs against the Redis on 127.0.0.1:6379 (database 15, emptied before and after each test);
skipped when there is none. Separate processes are needed: inside one process every app shares
the same limiter object, so sharing would prove nothing there.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_REDIS_URL as REDIS_URL

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOGIN_LIMIT = 4
LOCKOUT_ATTEMPTS = 3

# One "gunicorn worker": a production app that posts a failed log-in for each e-mail address
# read from stdin and answers with the status code.
WORKER = """
import sys
from marketplace import create_app

app = create_app("production", WTF_CSRF_ENABLED=False)
client = app.test_client()
print("worker-ready", flush=True)
for line in sys.stdin:
    response = client.post("/akun/masuk", data={"email": line.strip(), "password": "wrong password"})
    print(f"worker-status {response.status_code}", flush=True)
"""


@pytest.fixture
def redis(redis_db):
    """Redis database 15, empty at the start and end of the test."""
    redis_db.flushdb()
    yield redis_db
    redis_db.flushdb()


class Worker:
    """A separate Python process running the production app with REDIS_URL set."""

    def __init__(self, name: str, env: dict, log: Path):
        self.name, self.log = name, log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=PROJECT_DIR, env=env, text=True,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)

    def wait_ready(self) -> None:
        self._expect("worker-ready")

    def _expect(self, prefix: str) -> str:
        # The app's own JSON log lines share stdout; only our lines start with "worker-".
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        raise RuntimeError(f"{self.name} stopped: {self.log.read_text()[-3000:]}")

    def failed_login(self, email: str) -> int:
        self.process.stdin.write(email + "\n")
        self.process.stdin.flush()
        return int(self._expect("worker-status"))

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


@pytest.fixture(scope="module")
def workers(app, database_uri, redis_db, tmp_path_factory):
    """Two worker processes on the test database, counting in Redis database 15."""
    folder = tmp_path_factory.mktemp("workers")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_DIR),
        "SECRET_KEY": "redis-test-secret-key",
        "DATABASE_URL": database_uri,
        "REDIS_URL": REDIS_URL,
        "INSTANCE_PATH": str(folder / "instance"),
        "MEDIA_BACKEND": "local",
        "MEDIA_ROOT": str(folder / "media"),
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
        "LOGIN_LOCKOUT_ATTEMPTS": str(LOCKOUT_ATTEMPTS),
        "LOGIN_LOCKOUT_MINUTES": "15",
        "LOG_LEVEL": "ERROR",
    }
    started = []
    try:
        for name in ("worker-1", "worker-2"):
            started.append(Worker(name, env, folder / f"{name}.log"))
        for worker in started:  # both start at once, as gunicorn's workers do
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


def test_two_workers_share_the_log_in_limit_through_redis(workers, redis):
    first, second = workers
    # Different addresses each time, so only the per-client limit counts (not the lockout).
    statuses = [worker.failed_login(f"orang{n}@example.id")
                for n, worker in enumerate([first, second, first, second])]

    # Each worker has seen only 2 of its 4 allowed attempts: only a shared counter refuses these.
    assert statuses == [400] * LOGIN_LIMIT
    assert first.failed_login("orang8@example.id") == 429
    assert second.failed_login("orang9@example.id") == 429
    keys = [key.decode() for key in redis.keys("*")]
    assert keys and all("plb" in key for key in keys)


def test_the_log_in_lockout_of_an_address_is_shared_too(workers, redis):
    first, second = workers
    statuses = [worker.failed_login("sri@example.id") for worker in [first, second, first]]

    assert statuses == [400] * LOCKOUT_ATTEMPTS
    assert second.failed_login("SRI@example.id") == 429  # locked in every worker
    keys = [key.decode() for key in redis.keys("*")]
    assert any("login-lockout" in key for key in keys)
    assert not any("sri@example.id" in key.lower() for key in keys)  # addresses are stored hashed
