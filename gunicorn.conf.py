"""Gunicorn settings for production: `gunicorn wsgi:app` picks this file up from the project folder.

Environment: PORT (default 8000), WEB_CONCURRENCY (workers, default 2), GUNICORN_TIMEOUT
(seconds, default 30), FORWARDED_ALLOW_IPS (the reverse proxy's addresses, default 127.0.0.1).
Gunicorn's access lines go to stdout next to the app's JSON lines; its errors go to stderr.
"""
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "sync"
# Uploads from slow phone connections: give a request time, then cut it off.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so a slow leak never grows for long, but rarely: a new worker
# spends about 3 s of CPU importing the app and compiling its templates and SQL again, which
# every 1,000 requests took a tenth of the CPU at 300 requests/s (measured in bench/bench_load).
max_requests = 20_000
max_requests_jitter = 2_000
# The proxy's X-Forwarded-Proto/For are believed only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Gunicorn's own line per request (the app writes a JSON line per request too, with the same
# request id; gunicorn does not escape quotes, so this one stays plain text).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
